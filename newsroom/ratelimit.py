"""Rate limits shared by every app server: counters live in Django's cache.

With CACHE_URL pointing at Redis a limit holds across gunicorn workers and
machines. A fixed window per period is enough to stop floods.
"""

import time

from django.core.cache import cache


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"Too many attempts; try again in {retry_after} seconds.")
        self.retry_after = retry_after


def hit(action: str, who, *, limit: int, period: int) -> None:
    """Count one `action` by `who`; raise RateLimited past `limit` per `period` seconds."""
    now = time.time()
    window = int(now // period)
    key = f"ratelimit:{action}:{who}:{window}"
    if cache.add(key, 1, timeout=period + 5):
        return
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=period + 5)
        return
    if count > limit:
        raise RateLimited(retry_after=int((window + 1) * period - now) + 1)
