import re

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError
from django.urls import reverse

from accounts.forms import LOOKS_TAKEN, SignupForm
from tests.factories import UserFactory

User = get_user_model()
pytestmark = pytest.mark.django_db

SIGNUP = reverse("accounts:signup")


def signup_data(**overrides):
    return {
        "username": "newreader",
        "email": "new@example.com",
        "password1": "a-long-unusual-passphrase",
        "password2": "a-long-unusual-passphrase",
        "accept_terms": "on",
        **overrides,
    }


def test_anonymous_header_links_to_sign_up_and_log_in_with_next(client, published_article):
    path = published_article.get_absolute_url()
    html = client.get(path).content.decode()
    assert f'<a href="{SIGNUP}?next={path}">Sign up</a>' in html
    assert f'<a href="{reverse("accounts:login")}?next={path}">Log in</a>' in html


def test_signing_up_from_the_header_returns_the_reader_to_their_article(client, published_article):
    path = published_article.get_absolute_url()
    html = client.get(path).content.decode()
    signup = re.search(r'<a href="([^"]+)">Sign up</a>', html).group(1)
    form = client.get(signup).content.decode()
    next_field = re.search(r'name="next" value="([^"]*)"', form).group(1)
    response = client.post(SIGNUP, {**signup_data(), "next": next_field})
    assert response["Location"] == path


def test_sign_up_creates_the_account_and_logs_in(client):
    response = client.post(SIGNUP, signup_data())
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(username="newreader")
    assert user.email == "new@example.com"
    assert user.check_password("a-long-unusual-passphrase")
    assert not user.is_staff
    assert client.session["_auth_user_id"] == str(user.pk)
    html = client.get("/").content.decode()
    assert "Log out" in html
    assert user.get_absolute_url() in html


def test_sign_up_honours_a_same_site_next(client, published_article):
    path = published_article.get_absolute_url()
    response = client.post(SIGNUP, {**signup_data(), "next": path})
    assert response["Location"] == path


def test_sign_up_refuses_an_off_site_next(client):
    response = client.post(SIGNUP, {**signup_data(), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_logged_in_reader_is_sent_away_from_sign_up(client, reader):
    client.force_login(reader)
    assert client.get(SIGNUP)["Location"] == "/"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"username": "READER"}, "username", "That username is taken"),
        # Fullwidth letters are the same name after NFKC normalisation.
        ({"username": "ｒｅａｄｅｒ"}, "username", "That username is taken"),
        ({"username": "ＲＥＡＤＥＲ"}, "username", "That username is taken"),
        ({"username": "bad name!"}, "username", "Enter a valid username."),
        ({"username": "x" * 31}, "username", "at most 30 characters"),
        ({"username": ""}, "username", "This field is required."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"email": ""}, "email", "This field is required."),
        ({"password1": "password", "password2": "password"}, "password2", "too common"),
        ({"password1": "short1", "password2": "short1"}, "password2", "too short"),
        ({"password1": "8264019375", "password2": "8264019375"}, "password2", "entirely numeric"),
        ({"password2": "something-else-entirely"}, "password2", "didn’t match"),
    ],
)
def test_sign_up_bad_input_gets_a_form_error(client, reader, overrides, field, message):
    response = client.post(SIGNUP, signup_data(**overrides))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors
    assert not User.objects.filter(email="new@example.com").exists()


def test_password_similar_to_the_username_is_refused(client):
    data = signup_data(username="rosalind", password1="rosalind1", password2="rosalind1")
    response = client.post(SIGNUP, data)
    assert "too similar" in " ".join(response.context["form"].errors["password2"])


def test_stored_username_is_nfkc_normalised(client):
    client.post(SIGNUP, signup_data(username="Ｊｏｈｎ"))
    assert User.objects.filter(username="John").exists()


def test_full_case_fold_duplicate_is_taken(client):
    UserFactory(username="strasse")
    response = client.post(SIGNUP, signup_data(username="Straße"))
    assert response.context["form"].errors["username"] == [LOOKS_TAKEN]


def test_database_refuses_a_username_differing_only_by_case(reader):
    with pytest.raises(IntegrityError):
        User.objects.create_user("Reader", "other@example.com", "whatever-123-xyz")


def test_a_race_caught_by_the_database_is_a_form_error_not_a_500(client, reader, monkeypatch):
    # Two sign-ups racing both pass every check in Python; only the database sees both.
    monkeypatch.setattr(SignupForm, "clean_username", lambda form: "Reader")
    monkeypatch.setattr(User, "validate_constraints", lambda self, exclude=None: None)
    response = client.post(SIGNUP, signup_data(username="Reader"))
    assert response.status_code == 200
    assert response.context["form"].errors["username"] == [LOOKS_TAKEN]
    assert "_auth_user_id" not in client.session
