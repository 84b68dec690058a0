import socket
import threading
from unittest import mock

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from newsroom import health


@pytest.fixture(autouse=True)
def _migrations_not_yet_checked(monkeypatch):
    monkeypatch.setattr(health, "migrations_applied", False)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _no_store_and_no_cookie(response):
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
    assert "Set-Cookie" not in response


def test_liveness_touches_no_dependency(client):
    # No django_db mark: any query would fail the request. The cache must not be used either.
    with mock.patch.object(LocMemCache, "get", side_effect=AssertionError("cache used")):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    _no_store_and_no_cookie(response)


@pytest.mark.django_db
def test_ready_when_every_dependency_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "migrations", "cache"}
    for check in body["checks"].values():
        assert check["status"] == "ok"
        assert isinstance(check["ms"], float)
    assert "Retry-After" not in response
    _no_store_and_no_cookie(response)


@pytest.mark.django_db
def test_readiness_sets_no_cookie_for_a_logged_in_reader(client, reader):
    client.force_login(reader)
    response = client.get("/readyz")
    assert response.status_code == 200
    _no_store_and_no_cookie(response)


@pytest.mark.django_db
def test_readiness_costs_one_query_once_migrations_are_known(client, django_assert_num_queries):
    client.get("/readyz")
    with django_assert_num_queries(1):
        assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_not_ready_while_the_database_is_unreachable(client, monkeypatch):
    unreachable = {**connections.settings["default"], "HOST": "127.0.0.1"}
    unreachable["PORT"] = _closed_port()
    dead = connections["default"].__class__(unreachable, alias="default")
    monkeypatch.setattr(health, "connection", dead)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Retry-After"] == str(health.RETRY_AFTER)
    checks = response.json()["checks"]
    assert checks["database"] == {"status": "failed", "error": "OperationalError", "ms": mock.ANY}
    assert checks["migrations"]["status"] == "skipped"
    assert checks["cache"]["status"] == "ok"
    _no_store_and_no_cookie(response)


@pytest.mark.django_db
def test_not_ready_while_the_cache_raises(client):
    with mock.patch.object(LocMemCache, "set", side_effect=ConnectionError("refused")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert "Retry-After" in response
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["cache"]["status"] == "failed"
    assert body["checks"]["cache"]["error"] == "ConnectionError"
    assert body["checks"]["database"]["status"] == "ok"


@pytest.mark.django_db
def test_not_ready_while_the_cache_swallows_its_errors(client):
    # As a backend configured to ignore exceptions does: every read is a miss.
    with mock.patch.object(LocMemCache, "get", return_value=None):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["error"] == "the value written was not read back"


@pytest.mark.django_db
def test_a_hung_cache_costs_readiness_one_short_wait(client, monkeypatch):
    monkeypatch.setattr(health, "CACHE_TIMEOUT", 0.05)
    release = threading.Event()
    calls = []

    def hang(*args, **kwargs):
        calls.append(args)
        release.wait(5)

    try:
        with mock.patch.object(LocMemCache, "set", side_effect=hang):
            first = client.get("/readyz")
            second = client.get("/readyz")
    finally:
        release.set()
    for response in (first, second):
        assert response.status_code == 503
        cache_check = response.json()["checks"]["cache"]
        assert cache_check["error"] == "no answer within 50 ms"
        assert cache_check["ms"] < 1000
    assert len(calls) == 1  # the second check waited on the round trip already under way


@pytest.mark.django_db
def test_not_ready_while_a_migration_is_unapplied(client):
    with mock.patch.object(MigrationExecutor, "migration_plan", return_value=[("m", False)]):
        response = client.get("/readyz")
    assert response.status_code == 503
    migrations = response.json()["checks"]["migrations"]
    assert migrations["status"] == "failed"
    assert migrations["error"] == "1 unapplied migration(s)"


@pytest.mark.django_db
def test_migrations_are_checked_until_all_are_applied_then_no_more(client):
    assert client.get("/readyz").status_code == 200
    with mock.patch.object(MigrationExecutor, "migration_plan") as plan:
        assert client.get("/readyz").status_code == 200
    plan.assert_not_called()


@pytest.mark.django_db
def test_health_checks_answer_in_production_over_plain_http(client, settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["news.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST="news.example.com")
        assert response.status_code == 200, path
    # Every other page still goes to HTTPS.
    assert client.get("/", HTTP_HOST="news.example.com").status_code == 301


def test_health_checks_are_read_only(client):
    assert client.post("/healthz").status_code == 405
