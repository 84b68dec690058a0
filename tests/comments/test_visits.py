"""'New' markers: comments posted since a logged-in reader's last visit to the article."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from comments.models import ArticleVisit
from comments.personal import VISIT_WRITE_INTERVAL
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

MARKER = "New since your last visit"


def test_comments_since_the_last_visit_are_marked_new(client, published_article, reader):
    old = CommentFactory(
        article=published_article,
        body="Before your visit",
        created_at=timezone.now() - timedelta(hours=2),
    )
    client.force_login(reader)
    first = client.get(published_article.get_absolute_url()).content.decode()
    assert MARKER not in first  # a first visit: nothing is "new"
    # The reader comes back later: the visit was stored then.
    ArticleVisit.objects.update(seen_at=timezone.now() - timedelta(hours=1))
    CommentFactory(article=published_article, body="After your visit", created_at=timezone.now())
    CommentFactory(article=published_article, author=reader, body="My own comment")
    cache.clear()
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert html.count(MARKER) == 1
    marked = html.split(MARKER)[1].split("</article>")[0]
    assert "After your visit" in marked
    older = html.split(f'id="comment-{old.pk}"')[1].split("</article>")[0]
    assert "Before your visit" in older and MARKER not in older


def test_a_visit_is_stored_at_most_once_per_interval(
    client, published_article, reader, django_assert_max_num_queries
):
    CommentFactory(article=published_article)
    client.force_login(reader)
    client.get(published_article.get_absolute_url())
    stored = ArticleVisit.objects.get(reader=reader, article=published_article).seen_at
    for _ in range(3):
        with django_assert_max_num_queries(1):  # the user: no write per page view
            client.get(published_article.get_absolute_url())
    assert ArticleVisit.objects.get().seen_at == stored
    # Even without the cache, a recent visit is not written again.
    cache.clear()
    client.force_login(reader)
    client.get(published_article.get_absolute_url())
    assert ArticleVisit.objects.get().seen_at == stored


def test_after_the_interval_the_visit_moves_on(client, published_article, reader):
    client.force_login(reader)
    client.get(published_article.get_absolute_url())
    earlier = timezone.now() - VISIT_WRITE_INTERVAL - timedelta(seconds=1)
    ArticleVisit.objects.update(seen_at=earlier)
    cache.clear()
    client.force_login(reader)
    client.get(published_article.get_absolute_url())
    assert ArticleVisit.objects.get().seen_at > earlier


def test_anonymous_readers_get_no_markers_and_no_visits(client, published_article):
    CommentFactory(article=published_article)
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert MARKER not in html and not ArticleVisit.objects.exists()
