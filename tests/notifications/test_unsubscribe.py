"""Every notification e-mail carries a signed, expiring one-click unsubscribe link."""

import re
import time

import pytest
from django.core import signing
from django.test import Client

from notifications import unsubscribe
from notifications.models import Preferences

pytestmark = pytest.mark.django_db


def link_in(email) -> str:
    return re.search(r"Unsubscribe from all notification e-mails: (\S+)", email.body).group(1)


def test_emails_carry_rfc_8058_headers(author, reply, mailoutbox, settings):
    reply("Hello")
    [email] = mailoutbox
    url = link_in(email)
    assert url.startswith(settings.SITE_URL + "/notifications/unsubscribe/")
    assert email.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    message = email.message()
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_the_link_works_without_logging_in(author, reply, mailoutbox, settings):
    reply("Hello")
    path = link_in(mailoutbox[0]).removeprefix(settings.SITE_URL)
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(path)
    assert page.status_code == 200 and b"Unsubscribe</button>" in page.content
    assert not Preferences.objects.filter(user=author).exists()  # a GET changes nothing
    done = browser.post(path)
    assert done.status_code == 200 and b"You are unsubscribed" in done.content
    prefs = Preferences.objects.get(user=author)
    assert (prefs.reply_email, prefs.moderation_email) == ("never", False)
    mailoutbox.clear()
    reply("Another")
    assert mailoutbox == []


def test_mail_clients_one_click_post(author, client, settings):
    url = unsubscribe.url_for(author).removeprefix(settings.SITE_URL)
    response = Client(enforce_csrf_checks=True).post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert Preferences.objects.get(user=author).reply_email == "never"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "1" + token,  # someone else's account number
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_link_gets_a_clear_page(client, author, tamper):
    token = tamper(unsubscribe.token_for(author))
    for response in (
        client.get(f"/notifications/unsubscribe/{token}/"),
        client.post(f"/notifications/unsubscribe/{token}/"),
    ):
        assert response.status_code == 400
        assert "This unsubscribe link is not valid" in response.content.decode()
    assert not Preferences.objects.exists()


def test_an_expired_link_gets_a_clear_page(client, author, settings, monkeypatch):
    made_at = time.time() - settings.NOTIFICATIONS_UNSUBSCRIBE_MAX_AGE.total_seconds() - 60
    monkeypatch.setattr(signing.time, "time", lambda: made_at)
    token = unsubscribe.token_for(author)
    monkeypatch.undo()
    response = client.post(f"/notifications/unsubscribe/{token}/")
    assert response.status_code == 400
    assert "This unsubscribe link has expired" in response.content.decode()
    assert not Preferences.objects.exists()


def test_a_link_just_within_its_lifetime_still_works(client, author, settings, monkeypatch):
    made_at = time.time() - settings.NOTIFICATIONS_UNSUBSCRIBE_MAX_AGE.total_seconds() + 60
    monkeypatch.setattr(signing.time, "time", lambda: made_at)
    token = unsubscribe.token_for(author)
    monkeypatch.undo()
    assert client.post(f"/notifications/unsubscribe/{token}/").status_code == 200
