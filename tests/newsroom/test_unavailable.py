"""PostgreSQL unreachable: 503 with Retry-After in the site's design, nothing a reader
wrote is lost, and the site recovers by itself."""

from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@contextmanager
def database_down():
    """Every query fails the way psycopg fails when the server is gone."""
    error = OperationalError("connection to server on socket failed: Connection refused")
    with mock.patch("django.db.backends.utils.CursorWrapper._execute", side_effect=error):
        yield


@pytest.fixture
def browser():
    # Like a real browser: an error page, not a re-raised exception.
    return Client(raise_request_exception=False)


def test_pages_needing_the_database_answer_503_with_retry_after(browser, settings):
    settings.DATABASE_RETRY_AFTER = 20
    with database_down():
        response = browser.get(reverse("articles:home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "20" and response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "back in a moment" in html and '<link rel="stylesheet"' in html
    assert "Traceback" not in html and "OperationalError" not in html


def test_a_comment_sent_while_the_database_is_down_comes_back_in_the_form(
    browser, reader, published_article
):
    browser.force_login(reader)
    url = reverse("comments:post", args=[published_article.pk])
    with database_down():
        response = browser.post(url, {"body": "My carefully written <point>", "parent": "7"})
    assert response.status_code == 503
    html = response.content.decode()
    assert "My carefully written &lt;point&gt;</textarea>" in html
    assert f'action="{url}"' in html and 'name="parent" value="7"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_passwords_are_never_written_back(browser):
    with database_down():
        response = browser.post(
            reverse("accounts:signup"),
            {
                "username": "newcomer",
                "password1": "s3cret-Passw0rd",
                "password2": "s3cret-Passw0rd",
            },
        )
    assert response.status_code == 503
    html = response.content.decode()
    assert "s3cret-Passw0rd" not in html and 'value="newcomer"' in html


def test_the_site_recovers_without_a_restart(browser):
    with database_down():
        assert browser.get(reverse("articles:home")).status_code == 503
    assert browser.get(reverse("articles:home")).status_code == 200


def test_a_bug_is_still_a_500(browser):
    with mock.patch("articles.views.HomeView.get_queryset", side_effect=ValueError("a bug")):
        response = browser.get(reverse("articles:home"))
    assert response.status_code == 500 and "Retry-After" not in response
