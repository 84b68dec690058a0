"""Browser journeys: Playwright for Python driving Debian's chromium.

No browser is downloaded: we launch the `chromium` found on PATH. Without it
the journeys are skipped locally, and fail when NEWSROOM_REQUIRE_BROWSER=1
(as CI sets), so a CI machine can never silently skip them.
"""

import os
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; Django's ORM calls
# made by the test itself (fixtures, assertions) are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _chromium_path():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    executable = _chromium_path()
    if executable is None:
        message = "Debian's chromium is not installed (apt-get install chromium)"
        if os.environ.get("NEWSROOM_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server, settings):
    """A factory of fresh pages, each in its own context (its own cookies).

    The Content-Security-Policy is enforced as in production, and any violation
    the browser reports fails the journey.
    """
    settings.CONTENT_SECURITY_POLICY = settings.CONTENT_SECURITY_POLICY_REPORT_ONLY
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = None
    contexts, violations = [], []

    def make(viewport=None, javascript=True):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport or {"width": 1280, "height": 900},
            java_script_enabled=javascript,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text and violations.append(message.text)
            ),
        )
        return page

    yield make
    for context in contexts:
        context.close()
    assert not violations, violations


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name):
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture(scope="session", autouse=True)
def _migrated_snapshot(django_db_setup, django_db_blocker):
    """The migrated database (the Editors group...) as JSON, taken before Playwright starts."""
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    with django_db_blocker.unblock():
        snapshot = getattr(connection, "_test_serialized_contents", None)
        return snapshot or connection.creation.serialize_db_to_string()


@pytest.fixture(scope="session", autouse=True)
def _snapshot_survives_playwright(_migrated_snapshot, browser):
    # Playwright's sync API keeps an asyncio loop running in this thread, and while one
    # runs Django's connection storage is per context instead of per thread: from here on
    # tests get a fresh connection object that lacks the snapshot, so hand it over.
    from django.db import DEFAULT_DB_ALIAS, connections

    connections[DEFAULT_DB_ALIAS]._test_serialized_contents = _migrated_snapshot


@pytest.fixture(autouse=True)
def _restore_migrated_data(django_db_serialized_rollback):
    """Give every journey the rows data migrations create, such as the Editors group.

    Journeys are transactional tests, whose teardown empties every table; without
    this, whichever journey runs second would find those rows gone.
    """


@pytest.fixture
def log_in():
    """Log a reader in through the site's own login page."""
    from tests.conftest import PASSWORD

    def go(page, username, *, next_path="/"):
        page.goto(f"/accounts/login/?next={next_path}")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"**{next_path}")

    return go


@pytest.fixture
def confirm_email():
    """Follow the confirmation link in the last e-mail sent to `address` (Django's test
    set-up captures mail in mail.outbox, the live server's included) and, unless told
    not to, press its page's Confirm button; return the message."""
    import re
    from urllib.parse import urlsplit

    from django.core import mail

    def go(page, address, *, press=True):
        message = [m for m in mail.outbox if address in m.to][-1]
        link = re.search(r"https?://\S+/accounts/confirm/\S+/", message.body).group()
        page.goto(urlsplit(link).path)
        if press:
            page.get_by_role("button", name="Confirm", exact=True).click()
        return message

    return go
