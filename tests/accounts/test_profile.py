import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_profile_url():
    assert UserFactory.build(username="alice").get_absolute_url() == "/people/alice/"
    assert reverse("accounts:profile", kwargs={"username": "alice"}) == "/people/alice/"


def test_profile_shows_name_avatar_and_join_date(client, reader, django_assert_max_num_queries):
    # the reader, section navigation, their comment count
    with django_assert_max_num_queries(3):
        response = client.get(reader.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert f"<h1>{reader.display_name}</h1>" in html
    assert f"avatar avatar--96 avatar--c{reader.avatar_colour}" in html
    joined = timezone.localtime(reader.date_joined).isoformat(timespec="seconds")
    assert f'<time datetime="{joined}"' in html
    assert response.context["person"] == reader


def test_unknown_reader_is_a_404(client, db):
    assert client.get("/people/nobody/").status_code == 404


def test_deactivated_reader_is_a_404(client, reader):
    reader.is_active = False
    reader.save()
    assert client.get(reader.get_absolute_url()).status_code == 404


def test_other_case_redirects_to_the_canonical_address(client, reader):
    response = client.get("/people/READER/")
    assert response.status_code == 301
    assert response["Location"] == "/people/reader/"


def test_names_are_escaped(client):
    person = UserFactory(username="mallory", first_name="<script>alert(1)</script>", last_name="")
    html = client.get(person.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_header_still_shows_the_viewer_not_the_profile_owner(client, reader, other_reader):
    client.force_login(other_reader)
    response = client.get(reader.get_absolute_url())
    assert response.context["user"] == other_reader
    html = response.content.decode()
    header = html[html.index('class="account-nav"') : html.index("</nav>")]
    assert other_reader.display_name in header
    assert reader.display_name not in header
    assert "Edit your name, avatar or password" not in html


def test_own_profile_links_to_settings(client, reader):
    client.force_login(reader)
    html = client.get(reader.get_absolute_url()).content.decode()
    assert (
        f'<a href="{reverse("accounts:settings")}">Edit your name, avatar or password</a>' in html
    )


def test_reader_can_set_their_name(client, reader):
    client.force_login(reader)
    response = client.post(
        reverse("accounts:settings"),
        {"action": "details", "first_name": "Ada", "last_name": "Byron"},
    )
    assert response["Location"] == reverse("accounts:settings")
    reader.refresh_from_db()
    assert reader.display_name == "Ada Byron"
    assert reader.avatar_initials == "AB"


def test_too_long_a_name_is_a_form_error(client, reader):
    client.force_login(reader)
    response = client.post(
        reverse("accounts:settings"),
        {"action": "details", "first_name": "x" * 151, "last_name": ""},
    )
    assert response.status_code == 200
    assert response.context["profile_form"].errors["first_name"]
