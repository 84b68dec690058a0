"""The production cache: Redis through django-redis and the breaker, up, down and hung.

Needs Debian's redis-server (CI installs it). Without it the test is skipped
locally, and fails when NEWSROOM_REQUIRE_REDIS=1, as CI sets.
"""

import os
import shutil
import socket
import subprocess
import threading
import time

import pytest
from django.core.cache import caches
from django.urls import reverse

from comments.models import Comment
from newsroom.cache import redis_breaker

pytestmark = pytest.mark.django_db


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


def production_cache(location: str) -> dict:
    """The CACHES entry settings build from CACHE_URL=rediscache://..."""
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": location,
            "OPTIONS": {
                "CLIENT_CLASS": "newsroom.cache.BreakerClient",
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.25,
                "SOCKET_TIMEOUT": 0.25,
            },
        }
    }


@pytest.fixture(autouse=True)
def closed_breaker():
    redis_breaker.reset()
    yield
    redis_breaker.reset()


@pytest.fixture
def redis_cache(settings, redis_url):
    settings.CACHES = production_cache(redis_url)
    cache = caches["default"]
    cache.clear()
    yield cache
    cache.clear()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    """Nothing listens where Redis should be: every connection is refused."""
    settings.CACHES = production_cache(f"redis://127.0.0.1:{free_port()}/0")


@pytest.fixture
def redis_hung(settings):
    """A Redis that accepts connections and never answers (a frozen process)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []

    def accept():
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    settings.CACHES = production_cache(f"redis://127.0.0.1:{server.getsockname()[1]}/0")
    yield accepted
    server.close()
    for conn in accepted:
        conn.close()


def test_redis_cache_round_trips(redis_cache):
    redis_cache.set("greeting", {"text": "hello"}, 30)
    assert redis_cache.get("greeting") == {"text": "hello"}
    assert redis_cache.add("counter", 1) and redis_cache.incr("counter") == 2


def test_local_copies_stay_exact_through_redis(redis_cache):
    from newsroom import freshness

    version = freshness.Version("pages")
    freshness.put("front", freshness.current(version), b"<html>v1</html>", timeout=60, local=True)
    freshness.local_copies.clear()  # another worker
    assert freshness.get("front", freshness.current(version), local=True) == b"<html>v1</html>"
    freshness.changed([version])
    assert freshness.get("front", freshness.current(version), local=True) is freshness.MISSING


def test_with_redis_down_pages_render_readers_stay_logged_in_and_posting_is_limited(
    redis_down, client, settings, reader, published_article
):
    settings.COMMENTS_RATE_LIMIT = 2
    client.force_login(reader)
    page = client.get(published_article.get_absolute_url())
    assert page.status_code == 200 and reader.display_name in page.content.decode()
    url = reverse("comments:post", args=[published_article.pk])
    for n in range(2):
        assert client.post(url, {"body": f"Still here {n}"}).status_code == 302
    assert client.post(url, {"body": "One too many"}).status_code == 429
    assert Comment.objects.filter(author=reader).count() == 2
    assert "Still here 1" in client.get(published_article.get_absolute_url()).content.decode()
    assert client.get(reverse("articles:home")).status_code == 200


def test_a_hung_redis_costs_one_timeout_then_the_breaker_skips_it(
    redis_hung, client, published_article
):
    assert client.get(published_article.get_absolute_url()).status_code == 200
    assert redis_breaker.is_open
    assert client.get(reverse("articles:home")).status_code == 200
    time.sleep(0.1)  # let the fake server accept whatever reached it
    assert len(redis_hung) == 1  # the one call that timed out; none while the breaker is open


def test_the_breaker_lets_a_trial_call_through_once_its_interval_is_over(redis_cache, monkeypatch):
    monkeypatch.setattr(redis_breaker, "seconds", 0.2)
    redis_breaker.trip()
    for _ in range(4):  # calls refused while it is open do not hold it open
        assert redis_cache.get("anything", "missed") == "missed"  # open: not asked
        time.sleep(0.06)
    redis_cache.set("anything", "found", 30)
    assert redis_cache.get("anything") == "found" and not redis_breaker.is_open
