"""Flood control shared by every app server: counters live in Django's cache.

With CACHE_URL pointing at Redis the limit holds across gunicorn workers and
machines; a fixed window per period is enough to stop floods.
"""

import time

from django.conf import settings
from django.core.cache import cache


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"Too many actions; try again in {retry_after} seconds.")
        self.retry_after = retry_after


def check(action: str, user_id: int, *, limit: int | None = None, period: int | None = None):
    """Count one `action` by `user_id`; raise RateLimited past `limit` per `period` seconds."""
    limit = limit or settings.COMMENTS_RATE_LIMIT
    period = period or settings.COMMENTS_RATE_PERIOD
    now = time.time()
    window = int(now // period)
    key = f"throttle:{action}:{user_id}:{window}"
    if cache.add(key, 1, timeout=period + 5):
        return
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=period + 5)
        return
    if count > limit:
        raise RateLimited(retry_after=int((window + 1) * period - now) + 1)
