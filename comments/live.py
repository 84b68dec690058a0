"""What an open article page polls to learn about new comments, from the cache.

The answer is keyed on the article's and its conversation's versions
(newsroom/freshness.py), the same ones the page itself was built under. A poll
that names the versions it already has (If-None-Match) gets 304 Not Modified
after one cache round trip and no SQL; after a change, the first poll builds
the new answer (two queries) and every other tab reads it from the cache.
"""

from datetime import timedelta

from django.db.models.functions import Greatest
from django.utils import timezone

from articles.models import Article
from newsroom import freshness

from .models import Comment

# Comments that became visible this long ago or less are "new" to an open page.
WINDOW = timedelta(hours=24)
MOST = 200  # a page open for a day on a busy article: show it again rather than count
ANSWER_SECONDS = 60 * 60


def stamp(slug: str) -> freshness.Stamp:
    """The versions the article page's conversation is built under (its `live_version`)."""
    return freshness.current(freshness.article(slug), freshness.conversation(slug))


def etag(versions: freshness.Stamp) -> str:
    return f'"{versions.tag}"'


def _build(slug: str) -> dict | None:
    article = Article.objects.public().filter(slug=slug).values("pk", "comment_count").first()
    if article is None:
        return None
    since = timezone.now() - WINDOW
    # When each became visible: posted then, or approved (or restored) later.
    recent = (
        Comment.objects.visible()
        .filter(article_id=article["pk"])
        .annotate(visible_at=Greatest("created_at", "approved_at"))
        .filter(visible_at__gte=since)
        .order_by("-visible_at")
        .values_list("pk", "author_id", "visible_at", "root_id")[:MOST]
    )
    return {
        "count": article["comment_count"],
        "comments": [
            [pk, author, when.timestamp(), root or pk] for pk, author, when, root in recent
        ],
    }


def state(slug: str, versions: freshness.Stamp) -> dict | None:
    """The article's count and recently visible comments (id, author, when, in seconds
    since the epoch, and the thread: its first comment's id), newest first; None when
    there is no such public article."""
    return freshness.cached(
        f"comments:live:{slug}", versions, lambda: _build(slug), timeout=ANSWER_SECONDS, local=True
    )
