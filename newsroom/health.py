"""Liveness and readiness, for container health checks and the proxy's upstream checks.

- /healthz (liveness): the process answers. It touches no dependency, so a
  database or cache outage never gets healthy app servers restarted.
- /readyz (readiness): this process can serve pages now: PostgreSQL answers a
  query, the shared cache gives back what was just written to it, and no
  migration is waiting. 503 with Retry-After while any check fails, so the
  proxy sends readers elsewhere until it passes again.

Both are never cached, set no cookie and read no session. Each readiness check
reports its status and latency in milliseconds; a failure names only the kind
of error (the details go to the log), since the answer is public.
"""

import logging
import os
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as NoAnswer

from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# How long readiness waits for the cache round trip. Django's cache API takes no
# per-call timeout, so the round trip runs on a thread of its own (below).
CACHE_TIMEOUT = 0.5
RETRY_AFTER = 5  # seconds; about the proxy's health-check interval


class NotReady(Exception):
    """A check that failed without an exception of its own; the message is public."""


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


# Migrations only ever go from unapplied to applied under a running process, so
# once they are all applied the answer is kept and the graph is not loaded again.
migrations_applied = False


def check_migrations() -> None:
    global migrations_applied
    if migrations_applied:
        return
    executor = MigrationExecutor(connection)
    waiting = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if waiting:
        raise NotReady(f"{len(waiting)} unapplied migration(s)")
    migrations_applied = True


def _cache_round_trip() -> None:
    key = f"readyz:{socket.gethostname()}:{os.getpid()}"
    value = uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    # A backend that swallows its errors reads back nothing: that is a failure too.
    if cache.get(key) != value:
        raise NotReady("the value written was not read back")


class _CacheProbe:
    """Round trips on one thread per process, waited for at most CACHE_TIMEOUT.

    A hung cache holds that one thread, never a request's: later checks wait on
    the round trip already under way instead of starting another.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._executor = None  # made on first use, so in the worker, never before a fork
        self._pending = None

    def __call__(self) -> None:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="readyz-cache")
            if self._pending is None or self._pending.done():
                self._pending = self._executor.submit(_cache_round_trip)
            pending = self._pending
        try:
            pending.result(timeout=CACHE_TIMEOUT)
        except NoAnswer:
            raise NotReady(f"no answer within {CACHE_TIMEOUT * 1000:.0f} ms") from None


check_cache = _CacheProbe()


def _run(name: str, check) -> dict:
    started = time.perf_counter()
    try:
        check()
    except Exception as error:
        logger.warning("Readiness check %s failed: %r", name, error)
        result = {"status": "failed"}
        result["error"] = str(error) if isinstance(error, NotReady) else type(error).__name__
    else:
        result = {"status": "ok"}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    checks = {"database": _run("database", check_database)}
    if checks["database"]["status"] == "ok":
        checks["migrations"] = _run("migrations", check_migrations)
    else:
        checks["migrations"] = {"status": "skipped", "ms": 0.0}
    checks["cache"] = _run("cache", check_cache)
    ready = all(check["status"] == "ok" for check in checks.values())
    response = JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status=200 if ready else 503,
    )
    if not ready:
        response["Retry-After"] = str(RETRY_AFTER)
    return response
