import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

RESET = reverse("accounts:password_reset")
CHANGE = reverse("accounts:password_change")


def test_reset_answers_the_same_for_known_and_unknown_addresses(client, reader, mailoutbox):
    known = client.post(RESET, {"email": reader.email})
    unknown = client.post(RESET, {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("accounts:password_reset_done")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [reader.email]
    done = client.get(known["Location"]).content.decode()
    assert "If an account uses that address" in done


def test_reset_with_a_malformed_address_is_a_form_error(client, mailoutbox):
    response = client.post(RESET, {"email": "not an address"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.content.decode()
    assert mailoutbox == []


def test_reset_link_sets_a_new_password(client, reader, mailoutbox):
    client.post(RESET, {"email": reader.email.upper()})
    body = mailoutbox[0].body
    assert mailoutbox[0].subject == "Reset your Newsroom password"
    link = re.search(r"(https?://\S+/accounts/password/reset/\S+/)", body).group(1)
    # Links come from SITE_URL, never from the request's Host header.
    assert link.startswith(settings.SITE_URL)
    path = link.removeprefix(settings.SITE_URL)
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"]
    new = "a-brand-new-passphrase"
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new}
    )
    assert response["Location"] == reverse("accounts:password_reset_complete")
    reader.refresh_from_db()
    assert reader.check_password(new)
    # The link works once.
    assert not client.get(path, follow=True).context["validlink"]


def test_password_change_needs_login(client):
    response = client.get(CHANGE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={CHANGE}"


def test_password_change(client, reader):
    client.force_login(reader)
    new = "another-long-passphrase"
    response = client.post(
        CHANGE, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    reader.refresh_from_db()
    assert reader.check_password(new)
    # Still logged in: Django keeps the session valid for the new password hash.
    assert client.get(reverse("accounts:settings")).status_code == 200


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"old_password": "wrong"}, "old_password", "incorrectly"),
        ({"new_password1": "password", "new_password2": "password"}, "new_password2", "too common"),
    ],
)
def test_password_change_bad_input(client, reader, data, field, message):
    client.force_login(reader)
    good = {
        "old_password": PASSWORD,
        "new_password1": "x-y-z-long-1",
        "new_password2": "x-y-z-long-1",
    }
    response = client.post(CHANGE, {**good, **data})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
