import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")


def test_login_page_renders(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b'name="username"' in response.content


def test_login_then_header_shows_the_reader(client, reader):
    response = client.post(LOGIN, {"username": "reader", "password": PASSWORD})
    assert response["Location"] == "/"
    html = client.get("/").content.decode()
    assert f'href="{reader.get_absolute_url()}"' in html
    assert reader.display_name in html
    assert ">Log out</button>" in html
    assert f'href="{reverse("admin:index")}"' not in html


def test_staff_see_the_admin_link(client, editor):
    client.force_login(editor)
    assert f'href="{reverse("admin:index")}">Admin</a>' in client.get("/").content.decode()


def test_username_is_not_case_sensitive_at_login(client, reader):
    response = client.post(LOGIN, {"username": "ReAdEr", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(reader.pk)


def test_wrong_password_is_a_form_error(client, reader):
    response = client.post(LOGIN, {"username": "reader", "password": "nope"})
    assert response.status_code == 200
    assert "don’t match" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_inactive_reader_cannot_log_in(client, reader):
    reader.is_active = False
    reader.save()
    response = client.post(LOGIN, {"username": "reader", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("next_url", ["/articles/some-story/", "/people/reader/?page=2"])
def test_same_site_next_is_honoured(client, reader, next_url):
    response = client.post(LOGIN, {"username": "reader", "password": PASSWORD, "next": next_url})
    assert response["Location"] == next_url


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
    ],
)
def test_off_site_next_is_refused(client, reader, next_url):
    response = client.post(LOGIN, {"username": "reader", "password": PASSWORD, "next": next_url})
    assert response["Location"] == "/"


def test_logout_is_post_only(client, reader):
    client.force_login(reader)
    assert client.get(LOGOUT).status_code == 405
    assert "_auth_user_id" in client.session


def test_logout(client, reader):
    client.force_login(reader)
    response = client.post(LOGOUT)
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
    assert ">Log in</a>" in client.get("/").content.decode()


def test_logged_in_reader_visiting_login_is_redirected(client, reader):
    client.force_login(reader)
    assert client.get(LOGIN)["Location"] == "/"
