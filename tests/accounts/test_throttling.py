"""Failed logins are throttled per account and per client address (django-axes)."""

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse

from accounts.throttling import client_ip
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
ADMIN_LOGIN = reverse("admin:login")
LIMIT = settings.AXES_FAILURE_LIMIT


def attempt(client, username, password="wrong-password", ip="192.0.2.1", url=LOGIN, **extra):
    return client.post(url, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def test_failures_below_the_limit_are_ordinary_form_errors(client, reader):
    for _ in range(LIMIT - 1):
        assert attempt(client, "reader").status_code == 200
    assert attempt(client, "reader", PASSWORD).status_code == 302


def test_an_account_is_locked_after_repeated_failures_from_many_addresses(client, reader):
    for n in range(LIMIT):
        attempt(client, "reader", ip=f"198.51.100.{n}")
    # Even the right password, from an address that never failed, is refused.
    response = attempt(client, "reader", PASSWORD, ip="203.0.113.9")
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_case_variants_of_a_username_count_as_one_account(client, reader):
    for n, variant in enumerate(["reader", "READER", "Reader", "rEaDeR", "ｒｅａｄｅｒ"][:LIMIT]):
        attempt(client, variant, ip=f"198.51.100.{n}")
    assert attempt(client, "reader", PASSWORD, ip="203.0.113.9").status_code == 429


def test_an_address_is_locked_after_failures_against_many_accounts(client, reader, other_reader):
    for n in range(LIMIT):
        attempt(client, f"someone{n}", ip="192.0.2.50")
    assert attempt(client, "other", PASSWORD, ip="192.0.2.50").status_code == 429
    # Another address is unaffected.
    assert attempt(client, "other", PASSWORD, ip="192.0.2.51").status_code == 302


def test_a_forged_forwarded_for_header_does_not_change_the_address(client, reader):
    assert not settings.BEHIND_PROXY
    for n in range(LIMIT):
        attempt(client, f"someone{n}", ip="192.0.2.60", HTTP_X_FORWARDED_FOR=f"10.9.8.{n}")
    response = attempt(client, "reader", PASSWORD, ip="192.0.2.60", HTTP_X_FORWARDED_FOR="10.0.0.1")
    assert response.status_code == 429


def test_admin_login_is_throttled_too(client, superuser):
    for _ in range(LIMIT - 1):
        assert attempt(client, "boss", url=ADMIN_LOGIN).status_code == 200
    # The failure that reaches the limit is answered with the lockout page.
    assert attempt(client, "boss", url=ADMIN_LOGIN).status_code == 429
    response = attempt(client, "boss", PASSWORD, url=ADMIN_LOGIN, ip="203.0.113.20")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_on_the_site_lock_the_same_account_in_the_admin(client, superuser):
    for n in range(LIMIT):
        attempt(client, "boss", ip=f"198.51.100.{n}")
    assert attempt(client, "boss", PASSWORD, url=ADMIN_LOGIN, ip="203.0.113.30").status_code == 429


def test_client_ip_is_remote_addr_unless_behind_a_proxy(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    settings.BEHIND_PROXY = False
    assert client_ip(request) == "192.0.2.1"
    settings.BEHIND_PROXY = True
    # Only the entry our proxy appended (the last) is believed; the rest is client-written.
    request.META["HTTP_X_FORWARDED_FOR"] = "6.6.6.6, 203.0.113.7"
    assert client_ip(request) == "203.0.113.7"
    del request.META["HTTP_X_FORWARDED_FOR"]
    assert client_ip(request) == "192.0.2.1"


def test_signups_are_limited_per_client_address(client, settings, db):
    from accounts.models import User

    settings.ACCOUNT_RATE_LIMIT = 2
    for n in range(3):
        response = client.post(
            "/accounts/signup/",
            {
                "username": f"newcomer{n}",
                "email": f"newcomer{n}@example.com",
                "password1": "a-long-Unusual-passphrase-9",
                "password2": "a-long-Unusual-passphrase-9",
            },
        )
        client.logout()
    assert response.status_code == 429
    assert "Too many attempts from your network" in response.content.decode()
    assert User.objects.filter(username__startswith="newcomer").count() == 2


def test_password_reset_emails_are_limited_the_same_for_known_and_unknown_addresses(
    client, settings, reader, mailoutbox
):
    settings.ACCOUNT_RATE_LIMIT = 2
    statuses = [
        client.post("/accounts/password/reset/", {"email": email}).status_code
        for email in (reader.email, "nobody@example.com", reader.email)
    ]
    assert statuses == [302, 302, 429]
    assert len(mailoutbox) == 1
