import pytest

from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def test_profile_lists_visible_comments_newest_first(client, reader, published_article):
    older = CommentFactory(article=published_article, author=reader, body="Older thought")
    newer = CommentFactory(article=published_article, author=reader, body="Newer thought")
    CommentFactory(article=published_article, author=reader, body="Held one", status="pending")
    CommentFactory(article=published_article, author=reader, body="Removed one", status="hidden")
    CommentFactory(article=published_article, author=reader, body="Gone one", status="deleted")
    CommentFactory(article=ArticleFactory(draft=True), author=reader, body="On a draft")
    html = client.get(reader.get_absolute_url()).content.decode()
    assert html.index(newer.body) < html.index(older.body)
    for hidden in ("Held one", "Removed one", "Gone one", "On a draft"):
        assert hidden not in html
    assert published_article.title in html and "Comments (2)" in html


@pytest.mark.parametrize("count", [3, 45])
def test_profile_comments_are_paginated_in_fixed_queries(
    client, reader, published_article, count, django_assert_max_num_queries
):
    for n in range(count):
        CommentFactory(article=published_article, author=reader, body=f"Thought {n}")
    with django_assert_max_num_queries(4):
        response = client.get(reader.get_absolute_url())
    assert len(response.context["comments"]) == min(count, 20)
    if count > 20:
        assert "Page 1 of 3" in response.content.decode()
        last = client.get(reader.get_absolute_url(), {"page": 3}).content.decode()
        assert "Thought 0" in last


def test_profile_escapes_comment_text(client, reader, published_article):
    CommentFactory(article=published_article, author=reader, body="<script>alert(1)</script>")
    html = client.get(reader.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
