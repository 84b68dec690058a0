"""Cache plumbing shared by every app.

- RedisCache: Django's own Redis backend, but reusing one client per
  connection pool. The stock client builds a new redis.Redis (and its ~170
  response callbacks) for every cache call, which costs more than the call
  itself for small values.
- VersionToken: one token that many cached entries are keyed on, replaced to
  drop them all at once.
- LocalCopies: large values that change rarely (whole pages, thread
  skeletons) keep a copy in this process. Whether the copy is current is
  decided by a small token in the shared cache, read on every use, so
  invalidation stays exact across processes while the large value crosses the
  network only once per process and change.
"""

import threading
import uuid
from collections import OrderedDict

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.db import transaction


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient


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
