"""Rendering the conversation: each viewer's controls, and cached threads that are never stale."""

from datetime import timedelta

import pytest
from django.urls import reverse

from comments import moderation
from comments.models import Comment
from comments.rendering import Controls
from newsroom import freshness
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _page(client, article) -> str:
    return client.get(article.get_absolute_url()).content.decode()


def test_controls_name_themselves_for_cache_keys():
    assert str(Controls()) == "none"
    assert str(Controls(reply=True, report=True)) == "reply+report"
    assert str(Controls(reply=True, edit=True, delete=True)) == "reply+edit+delete"
    assert not Controls().any and Controls(delete=True).any


def test_anonymous_readers_get_no_controls(client, published_article):
    comment = CommentFactory(article=published_article)
    html = _page(client, published_article)
    assert comment.body in html and "comment__actions" not in html


def test_a_banned_reader_gets_neither_reply_nor_report(
    client, published_article, reader, moderator
):
    theirs = CommentFactory(article=published_article)
    moderation.ban(user=reader, moderator=moderator, reason="abuse", days=7)
    client.force_login(reader)
    html = _page(client, published_article)
    assert theirs.body in html
    assert reverse("comments:report", args=[theirs.pk]) not in html
    assert reverse("comments:reply", args=[theirs.pk]) not in html


def test_a_reader_gets_reply_and_report_on_others_and_no_report_on_their_own(
    client, published_article, reader
):
    mine = CommentFactory(article=published_article, author=reader)
    theirs = CommentFactory(article=published_article)
    client.force_login(reader)
    html = _page(client, published_article)
    assert reverse("comments:reply", args=[theirs.pk]) in html
    assert reverse("comments:report", args=[theirs.pk]) in html
    assert reverse("comments:reply", args=[mine.pk]) in html
    assert reverse("comments:report", args=[mine.pk]) not in html


def test_own_held_comment_can_be_edited_or_deleted_but_not_answered(
    client, published_article, reader
):
    held = CommentFactory(article=published_article, author=reader, status="pending")
    client.force_login(reader)
    html = _page(client, published_article)
    assert "Awaiting moderation" in html
    assert reverse("comments:edit", args=[held.pk]) in html
    assert reverse("comments:delete", args=[held.pk]) in html
    assert reverse("comments:reply", args=[held.pk]) not in html


def test_own_hidden_comment_can_be_deleted_but_not_edited(client, published_article, reader):
    hidden = CommentFactory(
        article=published_article, author=reader, status="hidden", hidden_reason="spam"
    )
    client.force_login(reader)
    html = _page(client, published_article)
    assert "Removed by a moderator: Spam" in html
    assert reverse("comments:edit", args=[hidden.pk]) not in html
    assert reverse("comments:delete", args=[hidden.pk]) in html


def test_readers_never_see_each_others_controls(client, published_article, reader, other_reader):
    mine = CommentFactory(article=published_article, author=reader)
    theirs = CommentFactory(article=published_article, author=other_reader)
    client.force_login(reader)
    first = client.get(published_article.get_absolute_url()).content.decode()
    client.force_login(other_reader)
    second = client.get(published_article.get_absolute_url()).content.decode()
    assert reverse("comments:edit", args=[mine.pk]) in first
    assert reverse("comments:edit", args=[theirs.pk]) not in first
    assert reverse("comments:edit", args=[theirs.pk]) in second
    assert reverse("comments:edit", args=[mine.pk]) not in second
    assert reverse("comments:report", args=[mine.pk]) in second


def test_edit_link_disappears_when_the_window_closes(client, published_article, reader, settings):
    mine = CommentFactory(article=published_article, author=reader)
    client.force_login(reader)
    assert (
        reverse("comments:edit", args=[mine.pk])
        in client.get(published_article.get_absolute_url()).content.decode()
    )
    settings.COMMENTS_EDIT_WINDOW = timedelta(seconds=0)
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert reverse("comments:edit", args=[mine.pk]) not in html
    assert reverse("comments:delete", args=[mine.pk]) in html


def test_anonymous_page_updates_as_soon_as_a_comment_changes(
    client, login, reader, published_article
):
    url = published_article.get_absolute_url()
    comment = CommentFactory(article=published_article, author=reader, body="Before")
    assert "Before" in client.get(url).content.decode()
    moderation.edit_comment(comment=Comment.objects.get(pk=comment.pk), body="After")
    html = client.get(url).content.decode()
    assert "After" in html and "Before" not in html
    moderation.delete_comment(comment=Comment.objects.get(pk=comment.pk))
    assert "After" not in client.get(url).content.decode()


def test_anonymous_page_updates_when_author_renames_or_changes_staff_flag(
    client, published_article, superuser
):
    author = UserFactory(username="writer", first_name="Old", last_name="Name")
    CommentFactory(article=published_article, author=author)
    url = published_article.get_absolute_url()
    assert "Old Name" in client.get(url).content.decode()
    client.force_login(author)
    client.post(reverse("accounts:settings"), {"first_name": "New", "last_name": "Name"})
    client.logout()
    html = client.get(url).content.decode()
    assert "New Name" in html and "Old Name" not in html
    client.force_login(superuser)
    response = client.post(
        reverse("admin:accounts_user_change", args=[author.pk]),
        {
            "username": "writer", "first_name": "New", "last_name": "Name", "email": "",
            "is_active": "on", "is_staff": "on",
            "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00",
        },
    )  # fmt: skip
    assert response.status_code == 302
    client.logout()
    assert "badge--staff" in client.get(url).content.decode()


def test_a_login_does_not_invalidate_cached_threads(client, published_article, reader):
    CommentFactory(article=published_article, author=reader)
    version = freshness.current(freshness.article(published_article.slug)).tag
    client.force_login(reader)
    reader.save(update_fields=["last_login"])
    assert freshness.current(freshness.article(published_article.slug)).tag == version
