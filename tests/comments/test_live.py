"""The endpoint open article pages poll: from the cache, 304 while nothing changed."""

import pytest
from django.urls import reverse

from comments import moderation
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def live_url(article):
    return reverse("comments:live", kwargs={"slug": article.slug})


def page_version(client, article) -> str:
    html = client.get(article.get_absolute_url()).content.decode()
    return html.split('data-live-version="')[1].split('"')[0]


def test_nothing_changed_is_304_with_no_query(
    client, published_article, reader, django_assert_num_queries
):
    CommentFactory.create_batch(3, article=published_article)
    version = page_version(client, published_article)
    client.force_login(reader)  # a logged-in tab's cookies change nothing
    with django_assert_num_queries(0):
        response = client.get(
            live_url(published_article), headers={"if-none-match": f'"{version}"'}
        )
    assert response.status_code == 304
    assert response["ETag"] == f'"{version}"'


def test_a_new_comment_is_announced_then_answered_from_the_cache(
    client, published_article, reader, other_reader, django_assert_num_queries
):
    version = page_version(client, published_article)
    comment = moderation.post_comment(author=reader, article=published_article, body="Hello")
    response = client.get(live_url(published_article), headers={"if-none-match": f'"{version}"'})
    assert response.status_code == 200
    state = response.json()
    assert state["count"] == 1
    assert [c[:2] for c in state["comments"]] == [[comment.pk, reader.pk]]
    assert response["ETag"] == f'"{state["version"]}"' != f'"{version}"'
    # Every other tab: from the cache, and 304 once it has the new version.
    with django_assert_num_queries(0):
        again = client.get(live_url(published_article), headers={"if-none-match": f'"{version}"'})
        assert again.json() == state
        unchanged = client.get(
            live_url(published_article), headers={"if-none-match": again["ETag"]}
        )
    assert unchanged.status_code == 304


def test_held_and_hidden_comments_are_not_announced(client, published_article, reader, moderator):
    version = page_version(client, published_article)
    held = CommentFactory(article=published_article, status="pending")
    hidden = moderation.post_comment(author=reader, article=published_article, body="Gone soon")
    moderation.hide(comment=hidden, moderator=moderator, reason="spam")
    response = client.get(live_url(published_article), headers={"if-none-match": f'"{version}"'})
    ids = [c[0] for c in response.json()["comments"]]
    assert held.pk not in ids and hidden.pk not in ids


def test_an_approved_comment_counts_as_new_when_approved(client, published_article, moderator):
    held = CommentFactory(article=published_article, status="pending")
    moderation.approve(comment=held, moderator=moderator)
    comments = client.get(live_url(published_article)).json()["comments"]
    assert [c[0] for c in comments] == [held.pk]


def test_unknown_or_unpublished_articles_are_404(client):
    draft = ArticleFactory(status="draft", published_at=None)
    assert client.get(live_url(draft)).status_code == 404
    assert client.get(reverse("comments:live", kwargs={"slug": "no-such-thing"})).status_code == 404


def test_the_page_says_where_to_poll(client, published_article):
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert f'data-live-url="{live_url(published_article)}"' in html
