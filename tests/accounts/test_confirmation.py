"""New readers confirm their e-mail address with a signed link that expires and works once."""

import json
import re
import time
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from accounts import confirmation
from accounts.models import User
from comments.models import Comment
from tests.conftest import PASSWORD
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = reverse("accounts:signup")
SETTINGS = reverse("accounts:settings")


def link_in(message) -> str:
    return urlsplit(re.search(r"https?://\S+/accounts/confirm/\S+/", message.body).group()).path


@pytest.fixture
def newcomer(client, mailoutbox, django_capture_on_commit_callbacks):
    """A reader who has just signed up (and so is logged in), with their e-mail."""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            SIGNUP,
            {
                "username": "newcomer",
                "email": "newcomer@example.com",
                "password1": "a-long-unusual-passphrase",
                "password2": "a-long-unusual-passphrase",
                "accept_terms": "on",
            },
        )
    assert response.status_code == 302
    return User.objects.get(username="newcomer")


def test_sign_up_sends_a_confirmation_link(newcomer, mailoutbox):
    assert not newcomer.email_confirmed
    (message,) = mailoutbox
    assert message.to == ["newcomer@example.com"]
    assert "Confirm your e-mail address" in message.subject
    assert message.body.count("http://") == 1  # SITE_URL, never the request's Host header
    assert 'pressing "Confirm"' in message.body  # opening the link alone confirms nothing


def test_opening_the_link_only_asks_for_confirmation(client, newcomer, mailoutbox):
    """Mail scanners and link previews open links: that alone confirms nothing."""
    response = client.get(link_in(mailoutbox[0]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "newcomer@example.com" in page and ">Confirm</button>" in page
    newcomer.refresh_from_db()
    assert not newcomer.email_confirmed


def test_pressing_confirm_confirms_the_address(client, newcomer, mailoutbox):
    response = client.post(link_in(mailoutbox[0]))
    assert response.status_code == 302 and response["Location"] == SETTINGS
    newcomer.refresh_from_db()
    assert newcomer.email_confirmed
    assert "Confirmed" in client.get(SETTINGS).content.decode()


def test_the_link_works_without_being_logged_in(mailoutbox, newcomer):
    browser = Client(enforce_csrf_checks=True)  # the form's token, as a browser sends it
    link = link_in(mailoutbox[0])
    token = browser.get(link).context["csrf_token"]
    response = browser.post(link, {"csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    newcomer.refresh_from_db()
    assert newcomer.email_confirmed


def test_a_used_link_does_not_work_again(client, newcomer, mailoutbox):
    link = link_in(mailoutbox[0])
    client.post(link)
    for method in (client.get, client.post):
        response = method(link)
        assert response.status_code == 400
        assert "already used" in response.content.decode()


@pytest.mark.parametrize("change", [lambda t: t[:-2] + "xx", lambda t: "a" + t[1:]])
def test_a_tampered_link_confirms_nothing(client, newcomer, mailoutbox, change):
    token = link_in(mailoutbox[0]).rstrip("/").rsplit("/", 1)[1]
    response = client.post(reverse("accounts:confirm_email", args=[change(token)]))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    newcomer.refresh_from_db()
    assert not newcomer.email_confirmed


def test_a_link_for_another_account_cannot_be_forged(client, newcomer):
    victim = UserFactory(username="victim", email_confirmed_at=None)
    token = confirmation.make_token(user=newcomer, email=newcomer.email)
    payload, signature = token.split(":", 1)
    data = json.loads(signing.b64_decode(payload.encode()))
    forged_payload = signing.b64_encode(json.dumps({**data, "u": victim.pk}).encode()).decode()
    forged = f"{forged_payload}:{signature}"
    assert client.post(reverse("accounts:confirm_email", args=[forged])).status_code == 400
    victim.refresh_from_db()
    assert not victim.email_confirmed


def test_an_expired_link_says_so(client, settings, newcomer, monkeypatch):
    made = time.time() - (settings.ACCOUNT_CONFIRMATION_DAYS * 86400 + 60)
    monkeypatch.setattr("django.core.signing.time.time", lambda: made)
    token = confirmation.make_token(user=newcomer, email=newcomer.email)
    monkeypatch.undo()
    for method in (client.get, client.post):
        response = method(reverse("accounts:confirm_email", args=[token]))
        assert response.status_code == 400
        assert "expired" in response.content.decode()
    newcomer.refresh_from_db()
    assert not newcomer.email_confirmed


def test_a_new_link_can_be_asked_for(
    client, newcomer, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:resend_confirmation"))
    assert response.status_code == 302
    assert len(mailoutbox) == 2
    client.post(link_in(mailoutbox[1]))
    newcomer.refresh_from_db()
    assert newcomer.email_confirmed


def test_asking_for_links_is_limited_per_address(
    client, settings, newcomer, mailoutbox, django_capture_on_commit_callbacks
):
    settings.ACCOUNT_EMAIL_RATE_LIMIT = 2
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            client.post(reverse("accounts:resend_confirmation"))
    assert len(mailoutbox) == 1 + 2
    page = client.get(SETTINGS).content.decode()
    assert "We have sent several e-mails to that address" in page


def comment(client, article):
    return client.post(reverse("comments:post", args=[article.pk]), {"body": "My first comment."})


def test_until_confirmed_comments_are_held_for_review(client, newcomer, published_article):
    comment(client, published_article)
    held = Comment.objects.get()
    assert held.is_pending
    assert held.actions.get().rule == "e-mail not confirmed"


def test_comments_of_unconfirmed_readers_can_be_refused_instead(
    client, settings, newcomer, published_article
):
    settings.ACCOUNT_UNCONFIRMED_COMMENTS = "refuse"
    response = comment(client, published_article)
    assert "Please confirm your e-mail address before commenting" in response.content.decode()
    assert not Comment.objects.exists()


def test_once_confirmed_comments_are_published(client, newcomer, mailoutbox, published_article):
    client.post(link_in(mailoutbox[0]))
    comment(client, published_article)
    assert Comment.objects.get().is_visible


def test_unconfirmed_readers_can_still_read_and_set_up_their_profile(
    client, newcomer, published_article
):
    assert client.get(published_article.get_absolute_url()).status_code == 200
    response = client.post(SETTINGS, {"action": "details", "first_name": "Nia", "last_name": ""})
    assert response.status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.first_name == "Nia"


def change_email(client, new, password=PASSWORD):
    return client.post(SETTINGS, {"action": "email", "email": new, "password": password})


def test_a_new_address_takes_effect_only_once_confirmed(
    client, reader, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(reader)
    with django_capture_on_commit_callbacks(execute=True):
        assert change_email(client, "new@example.com").status_code == 302
    reader.refresh_from_db()
    assert reader.email == "reader@example.com" and reader.pending_email == "new@example.com"
    (message,) = mailoutbox
    assert message.to == ["new@example.com"]
    client.post(link_in(message))
    reader.refresh_from_db()
    assert reader.email == "new@example.com" and reader.pending_email == ""
    assert reader.email_confirmed


def test_changing_the_address_needs_the_password(client, reader, mailoutbox):
    client.force_login(reader)
    response = change_email(client, "new@example.com", password="wrong")
    assert "That isn’t your current password." in response.content.decode()
    reader.refresh_from_db()
    assert reader.pending_email == "" and not mailoutbox


def test_a_link_for_a_replaced_new_address_confirms_nothing(
    client, reader, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(reader)
    with django_capture_on_commit_callbacks(execute=True):
        change_email(client, "first@example.com")
        change_email(client, "second@example.com")
    assert client.post(link_in(mailoutbox[0])).status_code == 400
    client.post(link_in(mailoutbox[1]))
    reader.refresh_from_db()
    assert reader.email == "second@example.com"
