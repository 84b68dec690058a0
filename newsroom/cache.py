"""The connection to the shared cache: django-redis's client behind a circuit breaker.

BreakerClient makes a Redis that is down or hung cost each process one short
timeout per CACHE_BREAKER_SECONDS, not one per call (settings turn its failures
into misses with IGNORE_EXCEPTIONS). What is cached, and how it stays fresh, is
newsroom/freshness.py.
"""

import functools
import logging
import threading
import time

from django.conf import settings
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


class BreakerOpen(ConnectionInterrupted):
    """Refused by the open breaker: no call was made, so nothing new has failed."""


def _refuse_while_open() -> None:
    if redis_breaker.is_open:
        raise BreakerOpen(connection=None) from ConnectionError("breaker open")


def _tripping(method):
    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except BreakerOpen:
            raise  # refusing calls must not keep the breaker open: it would never close
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
