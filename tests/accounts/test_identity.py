"""No reader can pass as someone else: look-alike, mixed-script and invisible names."""

import pytest
from django.urls import reverse

from accounts.forms import INVISIBLE, LOOKS_TAKEN, MIXED_SCRIPTS
from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = reverse("accounts:signup")
SETTINGS = reverse("accounts:settings")


def sign_up(client, username):
    return client.post(
        SIGNUP,
        {
            "username": username,
            "email": "someone@example.com",
            "password1": "a-long-unusual-passphrase",
            "password2": "a-long-unusual-passphrase",
            "accept_terms": "on",
        },
    )


def username_errors(response) -> list[str]:
    assert response.status_code == 200
    return response.context["form"].errors.get("username", [])


@pytest.mark.parametrize(
    "look_alike",
    [
        "\u0430dmin",  # Cyrillic а: the case
        "\u0430\u0501min",  # Cyrillic а and ԁ
        "ADMIN",
        "ａｄｍｉｎ",  # fullwidth
        "𝐚𝐝𝐦𝐢𝐧",  # mathematical bold
    ],
)
def test_a_name_that_looks_like_a_staff_username_is_refused(client, look_alike):
    UserFactory(username="admin", is_staff=True)
    assert LOOKS_TAKEN in username_errors(sign_up(client, look_alike))
    assert User.objects.count() == 1


def test_an_all_cyrillic_look_alike_of_an_existing_name_is_refused(client):
    UserFactory(username="pope")
    # Every letter Cyrillic (р о р е): one script, so only the skeleton catches it.
    assert LOOKS_TAKEN in username_errors(sign_up(client, "\u0440\u043e\u0440\u0435"))


def test_a_username_that_looks_like_a_bylined_authors_name_is_refused(client, published_article):
    author = published_article.authors.get()
    author.first_name, author.last_name = "Elena", ""
    author.save()
    assert LOOKS_TAKEN in username_errors(sign_up(client, "\u0415lena"))  # Cyrillic Е


def test_mixed_scripts_in_a_username_are_refused(client):
    # Not like anyone's name, but Latin and Greek letters in one word.
    assert MIXED_SCRIPTS in username_errors(sign_up(client, "nik\u03bfs"))


@pytest.mark.parametrize("name", ["zoë", "łukasz", "Дмитрий", "山田たろう", "김민준", "reader_42"])
def test_names_in_one_writing_system_are_welcome(client, name):
    response = sign_up(client, name)
    assert response.status_code == 302, response.context["form"].errors
    assert User.objects.filter(username=name).exists()


@pytest.mark.parametrize("invisible", ["\u3164", "\u3164\u3164", "\u115f\u1160"])
def test_a_username_of_only_invisible_letters_is_refused(client, invisible):
    errors = username_errors(sign_up(client, invisible))
    assert errors and not User.objects.exists()


def test_a_username_hiding_an_invisible_letter_is_refused(client):
    UserFactory(username="alice")
    assert username_errors(sign_up(client, "ali\u3164ce"))


def save_name(client, first, last=""):
    return client.post(SETTINGS, {"action": "details", "first_name": first, "last_name": last})


def test_a_display_name_like_a_staff_members_is_refused(client, reader, editor):
    editor.first_name, editor.last_name = "Elena", "Marsh"
    editor.save()
    client.force_login(reader)
    response = save_name(client, "\u0415lena", "Marsh")  # Cyrillic Е
    assert response.status_code == 200
    assert "Another account is shown by that name" in str(response.context["profile_form"].errors)
    reader.refresh_from_db()
    assert reader.first_name != "\u0415lena"


def test_a_display_name_like_another_username_is_refused(client, reader):
    UserFactory(username="moderator")
    client.force_login(reader)
    response = save_name(client, "M\u043ederator")  # Cyrillic о
    assert response.status_code == 200
    assert response.context["profile_form"].errors


def test_a_reader_keeps_their_own_name_when_saving_again(client, reader):
    client.force_login(reader)
    assert save_name(client, reader.first_name, reader.last_name).status_code == 302


def test_invisible_characters_in_a_display_name_are_refused(client, reader):
    client.force_login(reader)
    response = save_name(client, "Ann\u200be")
    assert INVISIBLE in response.context["profile_form"].errors["first_name"]


def test_a_display_name_of_only_invisible_characters_counts_as_no_name(client, reader):
    client.force_login(reader)
    save_name(client, "\u3164", "\u3164")
    reader.refresh_from_db()
    assert (reader.first_name, reader.last_name) == ("", "")
    assert reader.display_name == "reader"
