"""The production cache: Redis through newsroom.cache.RedisCache.

Needs Debian's redis-server (CI installs it). Without it the test is skipped
locally, and fails when NEWSROOM_REQUIRE_REDIS=1, as CI sets.
"""

import os
import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import caches


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed (apt-get install redis-server)"
        if os.environ.get("NEWSROOM_REQUIRE_REDIS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as conn:
                if conn.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def redis_cache(settings, redis_url):
    settings.CACHES = {
        "default": {"BACKEND": "newsroom.cache.RedisCache", "LOCATION": redis_url},
    }
    cache = caches["default"]
    cache.clear()
    yield cache
    cache.clear()


def test_redis_cache_round_trips_and_reuses_its_client(redis_cache):
    redis_cache.set("greeting", {"text": "hello"}, 30)
    assert redis_cache.get("greeting") == {"text": "hello"}
    assert redis_cache.add("counter", 1) and redis_cache.incr("counter") == 2
    client = redis_cache._cache.get_client("greeting")
    assert redis_cache._cache.get_client("other") is client
    assert redis_cache._cache.get_client("x", write=True) is client  # one server: one pool


def test_rate_limits_are_shared_through_redis(redis_cache):
    from newsroom import ratelimit

    ratelimit.hit("test", "reader", limit=2, period=60)
    ratelimit.hit("test", "reader", limit=2, period=60)
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.hit("test", "reader", limit=2, period=60)


def test_local_copies_stay_exact_through_redis(redis_cache):
    from newsroom.cache import LocalCopies

    worker_a, worker_b = LocalCopies("pages"), LocalCopies("pages")
    worker_a.set("front", b"<html>v1</html>", timeout=60)
    assert worker_b.get("front") == b"<html>v1</html>"
    redis_cache.delete_many(worker_a.forget_keys(["front"]))
    assert worker_b.get("front") is None
