"""Rate limits shared by every app server: counters live in Django's cache.

With CACHE_URL pointing at Redis a limit holds across gunicorn workers and
machines. Each limit is a sliding window, estimated from two fixed windows:
the current count plus the previous window's count weighted by how much of it
still lies within the last `period` seconds. Unlike a plain fixed window, this
never lets a burst of twice the limit through around a window boundary.
"""

import math
import time
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache

_lifted = ContextVar("ratelimit_lifted", default=False)


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"Too many attempts; try again in {retry_after} seconds.")
        self.retry_after = retry_after


def _count(key: str, timeout: int) -> int:
    if cache.add(key, 1, timeout=timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=timeout)
        return 1


def hit(action: str, who, *, limit: int, period: int, now: float | None = None) -> None:
    """Count one `action` by `who`; raise RateLimited past `limit` per `period` seconds.

    Refused attempts count too, so a client that keeps hammering stays refused.
    """
    if _lifted.get():
        return
    now = time.time() if now is None else now
    window, elapsed = divmod(now, period)
    key = f"ratelimit:{action}:{who}:{int(window)}"
    # Each window's count is still read during the next one.
    count = _count(key, timeout=2 * period + 5)
    previous = cache.get(f"ratelimit:{action}:{who}:{int(window) - 1}", 0)
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
