"""The article page costs a fixed number of queries, however big the conversation."""

import random

import pytest
from django.core.cache import cache
from django.urls import reverse

from comments import moderation, rendering
from comments.models import Comment
from comments.moderation import post_comment, refresh_article_stats
from newsroom import freshness
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
    client, django_assert_max_num_queries, published_article, size
):
    seed_conversation(published_article, size, UserFactory.create_batch(8))
    # the article (with its byline and tags), related articles, section navigation, the
    # page of threads (with the readers whose comments are held), the threads' comments
    with django_assert_max_num_queries(5):
        response = client.get(published_article.get_absolute_url())
    assert response.status_code == 200
    # Then the whole page comes from the cache, until something on it changes.
    with django_assert_max_num_queries(0):
        client.get(published_article.get_absolute_url())
    # Another order is built once (roots, comments, held; the article and fragments are cached)
    with django_assert_max_num_queries(3):
        client.get(published_article.get_absolute_url(), {"sort": "newest"})
    # ...and then it too is served without a query.
    with django_assert_max_num_queries(0):
        client.get(published_article.get_absolute_url(), {"sort": "newest"})


@pytest.mark.parametrize("size", [10, 500])
def test_logged_in_article_page_queries_are_fixed(
    client, django_assert_max_num_queries, published_article, reader, size
):
    authors = UserFactory.create_batch(8)
    comments = seed_conversation(published_article, size, [*authors, reader])
    client.force_login(reader)
    # user (with the header's unread count and ban status), article (with its byline and tags), related
    # articles, section navigation, the page of threads (with the readers whose
    # comments are held), the threads' comments, and the reader's visit (what "new" means to
    # them, written at most every few minutes); the reader's own comments are rendered from
    # those (the session is cached)
    with django_assert_max_num_queries(7):
        response = client.get(published_article.get_absolute_url())
    assert response.status_code == 200
    own = next(c for c in comments if c.author == reader and c.depth == 0)
    assert reverse("comments:edit", args=[own.pk]) in response.content.decode()
    # Steady state: the user (with the header's unread count) is read; the article,
    # navigation, related articles, ban status, the visit and the page skeleton are cached,
    # and the reader's own comments swapped in.
    with django_assert_max_num_queries(1):
        response = client.get(published_article.get_absolute_url())
    assert reverse("comments:edit", args=[own.pk]) in response.content.decode()


@pytest.mark.parametrize("size", [10, 500])
def test_reader_with_held_comment_gets_own_tree_in_fixed_queries(
    client, django_assert_max_num_queries, published_article, reader, size
):
    comments = seed_conversation(published_article, size, UserFactory.create_batch(8))
    CommentFactory(parent=comments[0], author=reader, status="pending", body="My held reply")
    client.force_login(reader)
    client.get(published_article.get_absolute_url())
    # user (with the header's unread count and ban status), then the reader's own tree: thread roots, thread
    # comments
    with django_assert_max_num_queries(3):
        response = client.get(published_article.get_absolute_url())
    html = response.content.decode()
    assert "My held reply" in html and "Awaiting moderation" in html


@pytest.mark.parametrize("size", [10, 500])
def test_anonymous_page_after_a_new_comment_rebuilds_only_the_conversation(
    client, django_assert_max_num_queries, published_article, reader, size
):
    seed_conversation(published_article, size, UserFactory.create_batch(8))
    url = published_article.get_absolute_url() + "?sort=newest"  # the new thread comes first
    client.get(url)
    count = Comment.objects.for_article(published_article).visible().count()
    post_comment(author=reader, article=published_article, body="A brand new comment")
    # The article, its byline, tags, related articles and its head and body stay cached
    # (a comment replaces the conversation's version only): thread roots with the count,
    # thread comments, readers with held comments.
    with django_assert_max_num_queries(3):
        html = client.get(url).content.decode()
    assert "A brand new comment" in html
    assert f"Comments {count + 1}</h2>" in html


def _reply(comment, reader, moderator):
    moderation.post_comment(
        author=reader, article=comment.article, body="A new reply", parent=comment
    )


def _edit(comment, reader, moderator):
    moderation.edit_comment(comment=comment, body="Edited text")


def _hide(comment, reader, moderator):
    moderation.hide(comment=comment, moderator=moderator, reason="spam")


def _restore(comment, reader, moderator):
    moderation.restore(comment=comment, moderator=moderator)


@pytest.mark.parametrize("change", [_reply, _edit, _hide, _restore])
def test_a_changed_comment_rerenders_its_own_fragment_only(
    client, django_assert_max_num_queries, monkeypatch, published_article, reader, moderator,
    change,
):  # fmt: skip
    comments = seed_conversation(published_article, 200, UserFactory.create_batch(8))
    changed = comments[0]
    if change is _restore:
        _hide(changed, reader, moderator)
    url = published_article.get_absolute_url()
    client.get(url)
    rendered = []
    render = rendering._render
    monkeypatch.setattr(
        rendering, "_render", lambda node, *a: rendered.append(node.comment.pk) or render(node, *a)
    )
    change(changed, reader, moderator)
    # The page of threads (with their state and the count), then the changed thread's
    # comments; every other thread, and every other comment of that one, from the cache.
    with django_assert_max_num_queries(2):
        html = client.get(url).content.decode()
    new = Comment.objects.latest("pk")
    assert set(rendered) <= {changed.pk, new.pk} and len(rendered) <= 1
    changed.refresh_from_db()
    assert (changed.body in html) == changed.is_visible
    assert ("A new reply" in html) == (change is _reply)


def test_logged_in_page_with_nothing_cached_renders_own_comments_without_a_query(
    client, django_assert_max_num_queries, published_article, reader
):
    comments = seed_conversation(published_article, 50, [*UserFactory.create_batch(4), reader])
    client.force_login(reader)
    client.get(reverse("articles:home"))  # the session and user, cached as after any page
    # user (with the header's unread count and ban status), article (with its byline and tags), related
    # articles, section navigation, the page of threads (with the readers whose
    # comments are held), the threads' comments, the reader's visit; the reader's own
    # comments are rendered from those, not read again.
    with django_assert_max_num_queries(7):
        response = client.get(published_article.get_absolute_url())
    own = next(c for c in comments if c.author == reader and c.depth == 0)
    assert reverse("comments:edit", args=[own.pk]) in response.content.decode()
    # With the session gone from the cache too: one more query, for the session (the visit
    # was written a moment ago, and is not written again).
    cache.clear()
    freshness.forget_local_copies()
    with django_assert_max_num_queries(8):
        response = client.get(published_article.get_absolute_url())
    assert reverse("comments:edit", args=[own.pk]) in response.content.decode()
