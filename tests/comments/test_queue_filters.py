"""The moderation queue's filters: by article, by date, by author, and nonsense in the URL."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.comments.moderating import QUEUE
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def bodies(response):
    assert response.status_code == 200
    return sorted(c.body for c in response.context["cl"].result_list)


def test_filter_by_article(client, moderator, published_article, editor):
    other = ArticleFactory(authors=[editor])
    CommentFactory(article=published_article, body="here")
    CommentFactory(article=other, body="there")
    client.force_login(moderator)
    assert bodies(client.get(QUEUE, {"article__id__exact": other.pk})) == ["there"]


def test_filter_by_date(client, moderator, published_article):
    CommentFactory(article=published_article, body="today")
    old = CommentFactory(article=published_article, body="last month")
    old.created_at = timezone.now() - timedelta(days=40)
    old.save(update_fields=["created_at"])
    client.force_login(moderator)
    week_ago = (timezone.localtime() - timedelta(days=7)).isoformat()
    assert bodies(client.get(QUEUE, {"created_at__gte": week_ago})) == ["today"]
    assert bodies(client.get(QUEUE, {"created_at__lt": week_ago})) == ["last month"]


@pytest.mark.parametrize(
    ("value", "shown"),
    [("²", ["anyone"]), ("1e3", ["anyone"]), (" ", ["anyone"]), ("abc", ["anyone"])]
    + [(value, []) for value in ["-1", "0", str(2**63), "9" * 40]],
)
def test_odd_author_values_never_break_the_queue(
    client, moderator, published_article, value, shown
):
    CommentFactory(article=published_article, author=UserFactory(), body="anyone")
    client.force_login(moderator)
    assert bodies(client.get(QUEUE, {"author": value})) == shown
