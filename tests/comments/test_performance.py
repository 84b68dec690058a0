"""The article page costs a fixed number of queries, however big the conversation."""

import random

import pytest

from comments.models import Comment
from comments.moderation import refresh_article_stats
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def seed_conversation(article, n, authors):
    """n comments: about a third top-level, the rest replies at every depth."""
    rng = random.Random(n)
    comments = []
    for i in range(n):
        comment = Comment(article=article, author=authors[i % len(authors)], body=f"Comment {i}")
        if comments and rng.random() > 0.33:
            comment.place_under(rng.choice(comments))
        comment.save()
        comments.append(comment)
    refresh_article_stats([article.pk])
    return comments


@pytest.mark.parametrize("size", [10, 500])
def test_anonymous_article_page_queries_are_fixed(
    client, django_assert_num_queries, published_article, size
):
    seed_conversation(published_article, size, UserFactory.create_batch(8))
    # article, byline authors, tags, related articles, section navigation, thread roots,
    # thread comments
    with django_assert_num_queries(7):
        response = client.get(published_article.get_absolute_url())
    assert response.status_code == 200
    # Then navigation, related articles and the whole anonymous thread come from the cache.
    with django_assert_num_queries(3):
        client.get(published_article.get_absolute_url())


@pytest.mark.parametrize("size", [10, 500])
def test_logged_in_article_page_queries_are_fixed(
    client, django_assert_num_queries, published_article, reader, size
):
    authors = UserFactory.create_batch(8)
    comments = seed_conversation(published_article, size, [*authors, reader])
    CommentFactory(parent=comments[0], author=reader, status="pending")
    client.force_login(reader)
    # session, user, article, byline authors, tags, related articles, section navigation,
    # ban check, thread roots, thread comments
    with django_assert_num_queries(10):
        response = client.get(published_article.get_absolute_url())
    assert response.status_code == 200
    assert "Awaiting moderation" in response.content.decode()
    # Steady state: navigation, related articles and the reader's ban status are cached.
    with django_assert_num_queries(7):
        client.get(published_article.get_absolute_url())


def test_anonymous_page_updates_as_soon_as_a_comment_changes(
    client, login, reader, published_article
):
    url = published_article.get_absolute_url()
    comment = CommentFactory(article=published_article, author=reader, body="Before")
    assert "Before" in client.get(url).content.decode()
    from comments import moderation

    moderation.edit_comment(comment=Comment.objects.get(pk=comment.pk), body="After")
    html = client.get(url).content.decode()
    assert "After" in html and "Before" not in html
    moderation.delete_comment(comment=Comment.objects.get(pk=comment.pk))
    assert "After" not in client.get(url).content.decode()


def test_anonymous_page_updates_when_author_renames_or_changes_staff_flag(
    client, published_article
):
    author = UserFactory(first_name="Old", last_name="Name")
    CommentFactory(article=published_article, author=author)
    url = published_article.get_absolute_url()
    assert "Old Name" in client.get(url).content.decode()
    author.first_name = "New"
    author.save()
    html = client.get(url).content.decode()
    assert "New Name" in html and "Old Name" not in html
    author.is_staff = True
    author.save()
    assert "badge--staff" in client.get(url).content.decode()


def test_a_login_does_not_invalidate_cached_threads(client, published_article, reader):
    CommentFactory(article=published_article, author=reader)
    published_article.refresh_from_db()
    version = published_article.comments_version
    client.force_login(reader)
    reader.save(update_fields=["last_login"])
    published_article.refresh_from_db()
    assert published_article.comments_version == version
