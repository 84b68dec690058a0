"""Comments where articles are listed: counts, "Most discussed", structured data."""

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def test_article_cards_show_visible_comment_counts(client):
    article = ArticleFactory(title="Talked about")
    CommentFactory.create_batch(2, article=article)
    CommentFactory(article=article, status="hidden")
    html = client.get(reverse("articles:home")).content.decode()
    assert f'href="{article.get_absolute_url()}#comments">2 comments</a>' in html


def test_most_discussed_counts_recent_visible_comments(client, settings):
    settings.MOST_DISCUSSED_DAYS = 3
    busy, quiet, stale, draft = (
        ArticleFactory(title="Busy story"), ArticleFactory(title="Quiet story"),
        ArticleFactory(title="Stale story"), ArticleFactory(title="Draft story", draft=True),
    )  # fmt: skip
    CommentFactory.create_batch(3, article=busy)
    CommentFactory(article=quiet)
    CommentFactory.create_batch(2, article=quiet, status="hidden")
    CommentFactory.create_batch(5, article=stale, created_at=timezone.now() - timedelta(days=4))
    CommentFactory.create_batch(5, article=draft)
    response = client.get(reverse("articles:home"))
    assert [a.title for a in response.context["most_discussed"]] == ["Busy story", "Quiet story"]
    assert "3 comments in the last 3 days" in response.content.decode()


@pytest.mark.parametrize("articles", [2, 20])
def test_home_with_most_discussed_has_fixed_queries(
    client, django_assert_max_num_queries, articles
):
    for _ in range(articles):
        CommentFactory(article=ArticleFactory())
    # count, page of articles, their authors, most discussed, section navigation
    with django_assert_max_num_queries(5):
        client.get(reverse("articles:home"))


def _json_ld_blocks(html):
    return [
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    ]


def test_visible_comments_are_published_as_schema_org_comments(client, published_article):
    top = CommentFactory(article=published_article, body='Quote "this" </script><b>')
    reply = CommentFactory(parent=top, body="A reply")
    CommentFactory(parent=reply, body="A reply to the reply")
    removed = CommentFactory(article=published_article, body="Removed text", status="hidden")
    CommentFactory(parent=removed, body="Reply under removed")
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert "</script><b>" not in html
    blocks = _json_ld_blocks(html)
    article_block = next(b for b in blocks if "headline" in b)
    comments_block = next(b for b in blocks if "commentCount" in b)
    assert comments_block["@id"] == article_block["@id"]
    assert comments_block["commentCount"] == 4
    # Each thread as its first comment and how many replies it has; the replies' text
    # is in the page's HTML, not repeated here.
    texts = [c["text"] for c in comments_block["comment"]]
    assert texts == ['Quote "this" </script><b>', "Reply under removed"]
    assert [c.get("commentCount") for c in comments_block["comment"]] == [2, None]
    assert "A reply" not in json.dumps(comments_block)
    assert "A reply" in html
    assert "Removed text" not in json.dumps(comments_block)
    assert comments_block["comment"][0]["author"]["url"].startswith(f"{settings.SITE_URL}/people/")
