"""A comment that would show nothing is refused as empty, whatever it is made of."""

import pytest
from django.urls import reverse

from comments.models import Comment, Report
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def post(client, article, body):
    return client.post(reverse("comments:post", args=[article.pk]), {"body": body})


@pytest.mark.parametrize(
    "body",
    [
        "\u200b ",  # the case: a zero-width space and a space
        "\u200c\u200d",  # zero-width non-joiner and joiner
        "\u2060\u2060",  # word joiners
        "\ufeff",  # byte order mark
        "\ufe0f\ufe0e",  # variation selectors
        "\U000e0101",  # an ideographic variation selector
        "\u0301\u0308",  # combining marks with no letter under them
        " \u200b\n\n\u3164 ",  # a mixture, with a Hangul filler
    ],
)
def test_invisible_only_comments_are_refused_as_empty(client, reader, published_article, body):
    client.force_login(reader)
    response = post(client, published_article, body)
    assert response.status_code == 200
    assert "Please write something before posting." in response.content.decode()
    assert not Comment.objects.exists()
    published_article.refresh_from_db()
    assert published_article.comment_count == 0


@pytest.mark.parametrize("body", ["👩\u200d🚀", "e\u0301", "Na\u00efve\u200b, yes"])
def test_text_with_something_visible_is_posted(client, reader, published_article, body):
    client.force_login(reader)
    assert post(client, published_article, body).status_code == 302
    assert Comment.objects.get().body == body


def test_an_edit_to_invisible_text_is_refused(client, reader, published_article):
    comment = CommentFactory(article=published_article, author=reader, body="Visible words.")
    client.force_login(reader)
    response = client.post(reverse("comments:edit", args=[comment.pk]), {"body": "\u200b"})
    assert response.status_code == 200
    comment.refresh_from_db()
    assert comment.body == "Visible words."


def test_an_invisible_report_note_counts_as_no_note(client, reader, published_article):
    comment = CommentFactory(article=published_article)
    client.force_login(reader)
    client.post(reverse("comments:report", args=[comment.pk]), {"reason": "spam", "note": "\u200b"})
    assert Report.objects.get().note == ""
