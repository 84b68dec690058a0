"""Cache plumbing shared by every app.

- BreakerClient: django-redis's client behind a circuit breaker, so a Redis
  that is down or hung costs each process one short timeout per
  CACHE_BREAKER_SECONDS, not one per call (settings turn its failures into
  misses with IGNORE_EXCEPTIONS).
- VersionToken: one token that many cached entries are keyed on, replaced to
  drop them all at once.
- LocalCopies: large values that change rarely (whole pages, thread
  skeletons) keep a copy in this process. Whether the copy is current is
  decided by a small token in the shared cache, read on every use, so
  invalidation stays exact across processes while the large value crosses the
  network only once per process and change.
"""

import functools
import logging
import threading
import time
import uuid
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django_redis.client import DefaultClient
from django_redis.exceptions import ConnectionInterrupted

logger = logging.getLogger(__name__)


class CircuitBreaker:
    """Stops calling a dependency that just failed, for a while, in this process.

    Closed, calls go through. A call that fails opens it for `seconds`: calls then
    fail at once, without touching the network. The first call after that is a
    trial: success closes it, failure opens it again.
    """

    def __init__(self, name: str, seconds: float):
        self.name = name
        self.seconds = seconds
        self._open_until = 0.0
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def trip(self) -> None:
        with self._lock:
            was_open = self.is_open
            self._open_until = time.monotonic() + self.seconds
        if not was_open:
            logger.warning("%s failed; not called again for %.0f s", self.name, self.seconds)

    def reset(self) -> None:
        with self._lock:
            self._open_until = 0.0


redis_breaker = CircuitBreaker("Redis cache", settings.CACHE_BREAKER_SECONDS)


class BreakerClient(DefaultClient):
    """django-redis's client, behind `redis_breaker`: while it is open every call fails
    at once with ConnectionInterrupted, which IGNORE_EXCEPTIONS turns into a miss."""

    def get_client(self, *args, **kwargs):
        _refuse_while_open()
        return super().get_client(*args, **kwargs)

    def get_client_with_index(self, *args, **kwargs):  # what set() and add() use
        _refuse_while_open()
        return super().get_client_with_index(*args, **kwargs)


def _refuse_while_open() -> None:
    if redis_breaker.is_open:
        raise ConnectionInterrupted(connection=None) from ConnectionError("breaker open")


def _tripping(method):
    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except ConnectionInterrupted:
            redis_breaker.trip()
            raise

    return call


# Every operation the site uses; each reaches Redis through get_client().
for _name in (
    "add", "get", "set", "get_many", "set_many", "delete", "delete_many",
    "incr", "decr", "has_key", "touch", "expire", "ttl", "clear",
):  # fmt: skip
    setattr(BreakerClient, _name, _tripping(getattr(DefaultClient, _name)))


class VersionToken:
    """A token in the shared cache naming the current state of something.

    Entries keyed on the token are current while it stands; replacing it makes
    them all unreachable at once, on every app server, without finding them.
    Whoever reads the token before the data it caches can never file old data
    under a token that a change has already replaced.
    """

    def __init__(self, key: str):
        self.key = key

    def current(self) -> str:
        return cache.get_or_set(self.key, uuid.uuid4().hex, timeout=None)

    def replace(self) -> None:
        def replace_now():
            cache.set(self.key, uuid.uuid4().hex, timeout=None)

        # Now, and again once committed, so nothing cached in between survives.
        replace_now()
        transaction.on_commit(replace_now)


class LocalCopies:
    """Values stored in the shared cache, with a per-process copy checked by token."""

    def __init__(self, prefix: str, *, max_items: int = 64):
        self.prefix = prefix
        self.max_items = max_items
        self._copies: OrderedDict[str, tuple[str, object]] = OrderedDict()
        self._lock = threading.Lock()

    def _token_key(self, name):
        return f"{self.prefix}:token:{name}"

    def get(self, name: str):
        token = cache.get(self._token_key(name))
        if token is None:
            return None
        with self._lock:
            copy = self._copies.get(name)
            if copy is not None and copy[0] == token:
                self._copies.move_to_end(name)
                return copy[1]
        value = cache.get(f"{self.prefix}:value:{name}:{token}")
        if value is not None:
            self._remember(name, token, value)
        return value

    def set(self, name: str, value, timeout: int) -> None:
        token = uuid.uuid4().hex
        # The value first, so a reader that sees the new token always finds it.
        cache.set(f"{self.prefix}:value:{name}:{token}", value, timeout + 60)
        cache.set(self._token_key(name), token, timeout)
        self._remember(name, token, value)

    def forget_keys(self, names) -> list[str]:
        """The shared-cache keys to delete so that `names` are rebuilt everywhere."""
        return [self._token_key(name) for name in names]

    def clear_local(self) -> None:
        with self._lock:
            self._copies.clear()

    def _remember(self, name, token, value):
        with self._lock:
            self._copies[name] = (token, value)
            self._copies.move_to_end(name)
            while len(self._copies) > self.max_items:
                self._copies.popitem(last=False)


class LocalMemo:
    """A per-process copy of values whose cache key already names their version."""

    def __init__(self, *, max_items: int = 64):
        self.max_items = max_items
        self._values: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str):
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
                return value
        value = cache.get(key)
        if value is not None:
            self.remember(key, value)
        return value

    def clear_local(self) -> None:
        with self._lock:
            self._values.clear()

    def remember(self, key: str, value) -> None:
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.max_items:
                self._values.popitem(last=False)
