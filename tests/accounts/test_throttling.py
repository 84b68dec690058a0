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


def test_a_username_is_locked_from_the_address_that_kept_failing(client, reader):
    for _ in range(LIMIT):
        attempt(client, "reader", ip="198.51.100.1")
    response = attempt(client, "reader", PASSWORD, ip="198.51.100.1")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed log-in attempts" in html
    assert "_auth_user_id" not in client.session


def test_the_right_password_from_elsewhere_is_never_refused(client, reader):
    # A guesser hammers the account from many addresses...
    for n in range(LIMIT * 3):
        attempt(client, "reader", ip=f"198.51.100.{n % 3}")
    # ...and its owner, from their own address, still gets in.
    assert attempt(client, "reader", PASSWORD, ip="203.0.113.9").status_code == 302


def test_a_colleagues_failures_never_lock_anyone_else_on_the_same_network(
    client, reader, superuser
):
    """The issue's case: one reader's wrong passwords locked the administrator out."""
    office = "192.0.2.50"
    for _ in range(LIMIT + 2):
        attempt(client, "reader", ip=office)
    assert attempt(client, "boss", PASSWORD, ip=office).status_code == 302
    client.logout()
    assert attempt(client, "boss", PASSWORD, ip=office, url=ADMIN_LOGIN).status_code == 302


def test_case_variants_of_a_username_count_as_one_account(client, reader):
    for variant in ["reader", "READER", "Reader", "rEaDeR", "ｒｅａｄｅｒ"][:LIMIT]:
        attempt(client, variant)
    assert attempt(client, "reader", PASSWORD).status_code == 429


def test_a_forged_forwarded_for_header_does_not_change_the_address(client, reader):
    assert not settings.BEHIND_PROXY
    for n in range(LIMIT):
        attempt(client, "reader", ip="192.0.2.60", HTTP_X_FORWARDED_FOR=f"10.9.8.{n}")
    response = attempt(client, "reader", PASSWORD, ip="192.0.2.60", HTTP_X_FORWARDED_FOR="10.0.0.1")
    assert response.status_code == 429


def test_admin_login_is_throttled_too(client, superuser):
    for _ in range(LIMIT - 1):
        assert attempt(client, "boss", url=ADMIN_LOGIN).status_code == 200
    # The failure that reaches the limit is answered with the lockout page.
    assert attempt(client, "boss", url=ADMIN_LOGIN).status_code == 429
    response = attempt(client, "boss", PASSWORD, url=ADMIN_LOGIN)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_failures_on_the_site_lock_the_same_pair_in_the_admin(client, superuser):
    for _ in range(LIMIT):
        attempt(client, "boss")
    assert attempt(client, "boss", PASSWORD, url=ADMIN_LOGIN).status_code == 429


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


def sign_up(client, n, *, ip="192.0.2.99", email=None):
    response = client.post(
        "/accounts/signup/",
        {
            "username": f"newcomer{n}",
            "email": email or f"newcomer{n}@example.com",
            "password1": "a-long-Unusual-passphrase-9",
            "password2": "a-long-Unusual-passphrase-9",
            "accept_terms": "on",
        },
        REMOTE_ADDR=ip,
    )
    client.logout()
    return response


def test_a_shared_address_lets_a_whole_office_sign_up(client, db):
    """The sixth reader behind one address used to be refused for an hour."""
    from accounts.models import User

    statuses = [sign_up(client, n).status_code for n in range(12)]
    assert statuses == [302] * 12
    assert User.objects.filter(username__startswith="newcomer").count() == 12


def test_a_script_signing_up_from_one_address_is_stopped(client, settings, db):
    from accounts.models import User

    settings.ACCOUNT_RATE_LIMIT = 20
    statuses = [sign_up(client, n).status_code for n in range(22)]
    assert statuses == [302] * 20 + [429, 429]
    html = sign_up(client, 99).content.decode()
    assert "Too many attempts from your network" in html
    assert "Please try again in" in html  # what to do, not only what happened
    assert User.objects.filter(username__startswith="newcomer").count() == 20
    # Someone on another network is not affected.
    assert sign_up(client, 50, ip="198.51.100.7").status_code == 302


def test_one_email_address_cannot_be_signed_up_over_and_over(
    client, settings, db, mailoutbox, django_capture_on_commit_callbacks
):
    settings.ACCOUNT_EMAIL_RATE_LIMIT = 2
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            sign_up(client, n, ip=f"198.51.100.{n}", email="target@example.com").status_code
            for n in range(3)
        ]
    assert statuses == [302, 302, 429]
    assert len(mailoutbox) == 2
    assert "check its inbox" in sign_up(client, 9, email="target@example.com").content.decode()


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


def test_password_reset_emails_to_one_address_are_limited_from_any_network(
    client, settings, reader, mailoutbox
):
    settings.ACCOUNT_EMAIL_RATE_LIMIT = 2
    statuses = [
        client.post(
            "/accounts/password/reset/", {"email": reader.email}, REMOTE_ADDR=f"198.51.100.{n}"
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert len(mailoutbox) == 2
