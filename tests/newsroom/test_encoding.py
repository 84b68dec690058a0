"""A body that is not valid UTF-8 is refused (400) and nothing is stored."""

import pytest
from django.urls import reverse

from comments.models import Comment

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"


def raw_post(client, url, body: bytes):
    return client.generic("POST", url, body, content_type=FORM)


@pytest.mark.parametrize(
    "encoded",
    [
        b"%ED%A0%80",  # an encoded surrogate: the case
        b"%C3%28",  # a broken two-byte sequence
        b"%FF",  # never valid in UTF-8
        b"ok+%E2%82",  # a truncated sequence at the end
    ],
)
def test_a_comment_with_invalid_utf8_is_refused_and_not_stored(
    client, reader, published_article, encoded
):
    client.force_login(reader)
    url = reverse("comments:post", args=[published_article.pk])
    response = raw_post(client, url, b"body=Hello+" + encoded)
    assert response.status_code == 400
    assert "not valid UTF-8" in response.content.decode()
    assert not Comment.objects.exists()


def test_valid_multibyte_text_goes_through(client, reader, published_article):
    client.force_login(reader)
    url = reverse("comments:post", args=[published_article.pk])
    body = "body=Za%C5%BC%C3%B3%C5%82%C4%87+g%C4%99%C5%9Bl%C4%85+ja%C5%BA%C5%84+%F0%9F%91%8D"
    assert raw_post(client, url, body.encode()).status_code == 302
    assert Comment.objects.get().body == "Zażółć gęślą jaźń 👍"


def test_an_invalid_field_name_is_refused_too(client):
    response = raw_post(client, reverse("accounts:signup"), b"username=x&%ED%A0%80=1")
    assert response.status_code == 400
