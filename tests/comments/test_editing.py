from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comments.models import BlockedTerm, Comment, ModerationAction, ModerationPolicy
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def test_author_edits_within_window_and_edited_mark_shows(login, reader, published_article):
    comment = CommentFactory(article=published_article, author=reader, body="Frist!")
    client = login(reader)
    assert client.get(reverse("comments:edit", args=[comment.pk])).status_code == 200
    response = client.post(reverse("comments:edit", args=[comment.pk]), {"body": "First!"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body == "First!" and comment.is_edited
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert "<p>First!</p>" in html and 'class="comment__edited"' in html


def test_edit_refused_after_window(login, reader, published_article, settings):
    settings.COMMENTS_EDIT_WINDOW = timedelta(minutes=15)
    comment = CommentFactory(
        article=published_article, author=reader,
        created_at=timezone.now() - timedelta(minutes=15, seconds=1),
    )  # fmt: skip
    client = login(reader)
    response = client.post(reverse("comments:edit", args=[comment.pk]), {"body": "late"})
    assert response.status_code == 403
    comment.refresh_from_db()
    assert comment.body != "late"
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert f'href="{reverse("comments:edit", args=[comment.pk])}"' not in html
    assert f'href="{reverse("comments:delete", args=[comment.pk])}"' in html


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("  ", "Please write something"),
        ("x" * 5001, "at most 5,000 characters"),
        ("null\x00byte", "Null characters are not allowed"),
        ("bell\x07", "control characters"),
        ("reversed \u202etxt", "control characters"),
    ],
)
def test_edit_with_bad_text_keeps_the_original(login, reader, published_article, body, message):
    comment = CommentFactory(article=published_article, author=reader, body="Original")
    response = login(reader).post(reverse("comments:edit", args=[comment.pk]), {"body": body})
    assert response.status_code == 200 and message in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Original" and not comment.is_edited


def test_comment_on_an_unpublished_article_cannot_be_edited(login, reader, published_article):
    comment = CommentFactory(article=published_article, author=reader, body="Original")
    published_article.unpublish()
    client = login(reader)
    assert client.get(reverse("comments:edit", args=[comment.pk])).status_code == 404
    assert (
        client.post(reverse("comments:edit", args=[comment.pk]), {"body": "New"}).status_code == 404
    )
    comment.refresh_from_db()
    assert comment.body == "Original"


def test_edits_are_rate_limited(login, reader, published_article, settings):
    settings.COMMENTS_RATE_LIMIT = 2
    comment = CommentFactory(article=published_article, author=reader, body="Original")
    client = login(reader)
    url = reverse("comments:edit", args=[comment.pk])
    assert client.post(url, {"body": "One"}).status_code == 302
    assert client.post(url, {"body": "Two"}).status_code == 302
    response = client.post(url, {"body": "Three"})
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Slow down" in response.content.decode() and "Three" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Two"


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_reader_cannot_change_anothers_comment_by_guessing_urls(
    login, reader, other_reader, published_article, action
):
    comment = CommentFactory(article=published_article, author=other_reader, body="Mine")
    client = login(reader)
    url = reverse(f"comments:{action}", args=[comment.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"body": "hijacked"}).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Mine" and comment.status == "visible"


@pytest.mark.parametrize("action", ["edit", "delete", "reply"])
def test_anonymous_is_sent_to_log_in(client, published_article, action):
    comment = CommentFactory(article=published_article)
    response = client.post(reverse(f"comments:{action}", args=[comment.pk]), {"body": "x"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_delete_without_replies_disappears(login, reader, published_article):
    comment = CommentFactory(article=published_article, author=reader, body="Regret this")
    client = login(reader)
    assert (
        "Delete your comment?"
        in client.get(reverse("comments:delete", args=[comment.pk])).content.decode()
    )
    client.post(reverse("comments:delete", args=[comment.pk]))
    comment.refresh_from_db()
    assert comment.status == Comment.Status.DELETED
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert "Regret this" not in html and "Comment deleted" not in html and "Comments 0" in html


def test_delete_with_replies_leaves_placeholder(login, reader, published_article):
    comment = CommentFactory(article=published_article, author=reader, body="Regret this")
    CommentFactory(parent=comment, body="A reply that stays")
    client = login(reader)
    client.post(reverse("comments:delete", args=[comment.pk]))
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert "Regret this" not in html
    assert "Comment deleted" in html and "A reply that stays" in html
    assert "Comments 1" in html


def test_deleted_comment_cannot_be_edited_or_deleted_again(login, reader, published_article):
    comment = CommentFactory(article=published_article, author=reader, status="deleted")
    client = login(reader)
    assert (
        client.post(reverse("comments:edit", args=[comment.pk]), {"body": "x"}).status_code == 404
    )
    assert client.post(reverse("comments:delete", args=[comment.pk])).status_code == 404


def test_edit_and_delete_links_only_on_own_comments(login, reader, other_reader, published_article):
    own = CommentFactory(article=published_article, author=reader)
    theirs = CommentFactory(article=published_article, author=other_reader)
    html = login(reader).get(published_article.get_absolute_url()).content.decode()
    assert reverse("comments:edit", args=[own.pk]) in html
    assert reverse("comments:edit", args=[theirs.pk]) not in html
    assert reverse("comments:delete", args=[theirs.pk]) not in html
    assert reverse("comments:reply", args=[theirs.pk]) in html


def test_edit_with_refused_term_is_a_form_error_and_stores_nothing(
    login, reader, published_article
):
    BlockedTerm.objects.create(phrase="scoundrel", action="refuse")
    comment = CommentFactory(article=published_article, author=reader, body="Polite")
    client = login(reader)
    response = client.post(reverse("comments:edit", args=[comment.pk]), {"body": "You SCOUNDREL"})
    assert response.status_code == 200 and "language we don" in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Polite" and not comment.is_edited and comment.status == "visible"
    refusal = ModerationAction.objects.get(kind="refuse")
    assert refusal.rule == "blocked term: scoundrel" and refusal.subject == reader


@pytest.mark.parametrize(
    ("rule", "body"),
    [
        ("blocked term: buy now", "Please buy now"),
        ("more than 1 links (2)", "See https://spam.example and www.b.example"),
    ],
)
def test_edit_matching_a_hold_rule_goes_back_to_moderators(
    login, reader, other_reader, published_article, rule, body
):
    BlockedTerm.objects.create(phrase="buy now", action="hold")
    ModerationPolicy.objects.update_or_create(pk=1, defaults={"max_links": 1})
    comment = CommentFactory(article=published_article, author=reader, body="Innocent")
    client = login(reader)
    assert "Comments 1" in client.get(published_article.get_absolute_url()).content.decode()
    response = client.post(reverse("comments:edit", args=[comment.pk]), {"body": body})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.status == "pending" and comment.body == body and comment.is_edited
    hold = ModerationAction.objects.get(kind="hold")
    assert (hold.rule, hold.comment, hold.moderator) == (rule, comment, None)
    page = client.get(response["Location"]).content.decode()
    assert "Awaiting moderation" in page and "Comments 0" in page
    client.force_login(other_reader)
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert "Innocent" not in html and body not in html and "Comments 0" in html


def test_clean_edit_keeps_a_visible_comment_visible(login, reader, published_article):
    BlockedTerm.objects.create(phrase="buy now", action="hold")
    comment = CommentFactory(article=published_article, author=reader, body="Fine")
    login(reader).post(reverse("comments:edit", args=[comment.pk]), {"body": "Still fine"})
    comment.refresh_from_db()
    assert comment.status == "visible" and not ModerationAction.objects.exists()
