"""What differs between logged-in readers on a page of threads everyone shares.

The threads are cached as fragments shared by every viewer of a kind
(comments/rendering.py). Two things are one reader's own and are written into
the assembled page in one pass, at the cost of at most one query each, and
none once cached:

- which comments they recommended: the Recommend button is pressed;
- which comments are new since their last visit to the article: a "New" marker.
  Visits are stored at most once per reader per article per VISIT_WRITE_INTERVAL,
  not on every page view.
"""

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from newsroom import freshness

from .models import ArticleVisit, Recommendation

VISIT_WRITE_INTERVAL = timedelta(minutes=5)
_VISIT_SECONDS = 60 * 60 * 24 * 30
# The form every comment's buttons submit with (comments/_section.html): the cached
# fragments cannot hold a reader's CSRF token, the page around them can.
ACTIONS_FORM = "comment-actions"


def recommend_button(comment, *, pressed: bool = False) -> SafeString:
    """The Recommend toggle; a pressed one takes the recommendation back."""
    count = comment.recommendation_count
    return format_html(
        '<button type="submit" form="{}" formaction="{}" name="recommend" value="{}" '
        'class="recommend" aria-pressed="{}" data-recommend="{}" data-count="{}">'
        '{} <span class="recommend__count">{}</span></button>',
        ACTIONS_FORM,
        reverse("comments:recommend", args=[comment.pk]),
        "off" if pressed else "on",
        "true" if pressed else "false",
        comment.pk,
        count,
        settings.COMMENTS_RECOMMEND_LABEL,
        count,
    )


# One pass over the page finds both: an unpressed button with a count, and a comment's start.
_PERSONAL = re.compile(
    r'value="on" (class="recommend") aria-pressed="false" data-recommend="(\d+)"'
    r'|(<article class="comment[^"]*)" id="comment-(\d+)"'
)


def personalise(html: str, *, recommended: frozenset, new: frozenset) -> SafeString:
    """The page with these comments' buttons pressed and these comments marked new."""
    if not recommended and not new:
        return mark_safe(html)  # noqa: S308 - assembled from autoescaped fragments

    def swap(match):
        if match.group(2) is not None:
            if int(match.group(2)) not in recommended:
                return match.group(0)
            return f'value="off" {match.group(1)} aria-pressed="true" data-recommend="{match.group(2)}"'
        if int(match.group(4)) not in new:
            return match.group(0)
        return (
            f'{match.group(3)} comment--new" id="comment-{match.group(4)}"'
            '><p class="comment__new">New since your last visit</p'
        )

    return mark_safe(_PERSONAL.sub(swap, html))  # noqa: S308


def has_recommendations(html: str) -> bool:
    """Whether any comment on the page has been recommended at all (else nobody's is pressed)."""
    return re.search(r'data-count="[1-9]', html) is not None


def recommended_by(user, article, stamp: freshness.Stamp) -> frozenset:
    """The ids of the article's comments this reader recommends, cached under the
    conversation's version (which every recommendation replaces)."""
    return freshness.cached(
        f"comments:recommended:{article.pk}:{user.pk}",
        stamp,
        lambda: frozenset(
            Recommendation.objects.filter(reader=user, comment__article=article).values_list(
                "comment_id", flat=True
            )
        ),
        timeout=_VISIT_SECONDS,
    )


_VISIT_TABLE = ArticleVisit._meta.db_table
# One round trip: the previous visit, and this one stored if the stored one is stale.
_VISIT_SQL = f"""
WITH previous AS (
    SELECT seen_at FROM {_VISIT_TABLE} WHERE reader_id = %(reader)s AND article_id = %(article)s
), stored AS (
    INSERT INTO {_VISIT_TABLE} (reader_id, article_id, seen_at)
    VALUES (%(reader)s, %(article)s, %(now)s)
    ON CONFLICT (reader_id, article_id) DO UPDATE SET seen_at = EXCLUDED.seen_at
    WHERE {_VISIT_TABLE}.seen_at < %(stale)s
)
SELECT (SELECT seen_at FROM previous)
"""  # noqa: S608 - the table name is our own constant; values are parameters


def last_visit(user, article) -> datetime | None:
    """When this reader last came to the article's conversation before this visit
    (None the first time), recording this visit at most once per VISIT_WRITE_INTERVAL."""
    key = f"comments:visit:{user.pk}:{article.pk}"
    now = timezone.now()
    remembered = cache.get(key)  # (the visit before, when this one was stored)
    if remembered is not None and now - remembered[1] < VISIT_WRITE_INTERVAL:
        return remembered[0]
    params = {"reader": user.pk, "article": article.pk, "now": now}
    params["stale"] = now - VISIT_WRITE_INTERVAL
    with connection.cursor() as cursor:
        cursor.execute(_VISIT_SQL, params)
        (previous,) = cursor.fetchone()
    if previous is not None and previous >= params["stale"]:
        # Stored moments ago and not replaced: new still means new since then.
        remembered = (previous, previous)
    else:
        remembered = (previous, now)
    cache.set(key, remembered, _VISIT_SECONDS)
    return remembered[0]


def new_comments(skeleton_slots, user, since: datetime | None) -> frozenset:
    """The shown comments by others posted after `since` (none on a first visit)."""
    if since is None:
        return frozenset()
    return frozenset(
        slot.comment_id
        for entries in skeleton_slots.values()
        for _, slot in entries
        if slot.created_at > since and slot.author_id != user.pk
    )
