import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/people/a%00b/", "/authors/a%00b/", "/people/%E2%80%AE/"])
def test_username_urls_with_impossible_characters_are_404(client, reader, path):
    assert client.get(path).status_code == 404


def test_profile_url_accepts_every_username_character(client):
    from tests.factories import UserFactory

    UserFactory(username="jo.bloggs+news@home-1")
    assert client.get("/people/jo.bloggs+news@home-1/").status_code == 200
