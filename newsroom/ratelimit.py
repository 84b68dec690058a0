"""Rate limits shared by every app server: counters live in PostgreSQL.

A limit holds across gunicorn workers and machines, while the cache is down,
and across a Redis restart (which would otherwise wipe every count); each hit
costs one statement, and only writes (posts, reports, sign-ups) are limited.
Each limit is a sliding window, estimated from two fixed windows:
the current count plus the previous window's count weighted by how much of it
still lies within the last `period` seconds. Unlike a plain fixed window, this
never lets a burst of twice the limit through around a window boundary.
"""

import math
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection

from .models import RateLimitBucket

_lifted = ContextVar("ratelimit_lifted", default=False)


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"Too many attempts; try again in {retry_after} seconds.")
        self.retry_after = retry_after


_TABLE = RateLimitBucket._meta.db_table
# One round trip: count this hit in its window, read the previous window's count, and
# (when this hit opened a window) drop rows nobody reads any more.
_HIT_SQL = f"""
WITH hit AS (
    INSERT INTO {_TABLE} (key, bucket, hits, expires) VALUES (%(key)s, %(bucket)s, 1, %(expires)s)
    ON CONFLICT (key, bucket) DO UPDATE SET hits = {_TABLE}.hits + 1
    RETURNING hits
), pruned AS (
    DELETE FROM {_TABLE} WHERE expires < %(now)s AND (SELECT hits FROM hit) = 1
)
SELECT (SELECT hits FROM hit),
       COALESCE((SELECT hits FROM {_TABLE} WHERE key = %(key)s AND bucket = %(bucket)s - 1), 0)
"""  # noqa: S608 - the table name is our own constant; values are parameters


def _count(key: str, bucket: int, *, now: float, expires: int) -> tuple[int, int]:
    """Count a hit in `bucket`; return it and the previous bucket's count."""
    params = {"key": key, "bucket": bucket, "expires": expires, "now": int(now)}
    with connection.cursor() as cursor:
        cursor.execute(_HIT_SQL, params)
        return cursor.fetchone()


def hit(action: str, who, *, limit: int, period: int, now: float | None = None) -> None:
    """Count one `action` by `who`; raise RateLimited past `limit` per `period` seconds.

    Refused attempts count too, so a client that keeps hammering stays refused.
    """
    if _lifted.get():
        return
    now = time.time() if now is None else now
    window, elapsed = divmod(now, period)
    # Each window's count is still read during the next one.
    count, previous = _count(
        f"{action}:{who}"[:200], int(window), now=now, expires=int(now) + 2 * period + 5
    )
    remaining = 1 - elapsed / period  # the share of the previous window still counted
    if count + previous * remaining <= limit:
        return
    # When the next attempt (which counts one more) would be allowed, if none comes sooner:
    # in the next window, once enough of this one has slid out...
    wait = period - elapsed + period * max(0.0, 1 - (limit - 1) / count)
    if count < limit:
        # ...or in this one, once enough of the previous window has.
        wait = min(wait, period * (1 - (limit - count - 1) / previous) - elapsed)
    raise RateLimited(retry_after=max(1, math.ceil(wait)))


@contextmanager
def lifted():
    """Count nothing inside this block, in this thread or task only.

    For seeding scripts, which replay weeks of readers' actions in a second
    through the same workflows the site uses. Never around a request.
    """
    token = _lifted.set(True)
    try:
        yield
    finally:
        _lifted.reset(token)


def clear_expired(*, now: float | None = None) -> int:
    """Delete counters no limit reads any more (hit() prunes them too, but only when the
    same key is hit again); returns how many. They hold network addresses in their keys,
    so the retention purge runs this (accounts/retention.py)."""
    now = time.time() if now is None else now
    return RateLimitBucket.objects.filter(expires__lt=int(now)).delete()[0]
