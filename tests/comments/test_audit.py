"""The audit log, and what survives deleting articles and accounts."""

import pytest
from django.urls import reverse

from comments import moderation
from comments.models import Comment, ModerationAction
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def test_audit_log_is_read_only_even_for_superusers(
    client, superuser, moderator, published_article
):
    comment = CommentFactory(article=published_article)
    moderation.hide(comment=comment, moderator=moderator, reason="spam")
    action = ModerationAction.objects.get()
    client.force_login(superuser)
    changelist = reverse("admin:comments_moderationaction_changelist")
    assert client.get(changelist, {"kind": "hide"}).status_code == 200
    assert (
        client.post(
            reverse("admin:comments_moderationaction_delete", args=[action.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    client.post(
        reverse("admin:comments_moderationaction_change", args=[action.pk]), {"note": "rewritten"}
    )
    action.refresh_from_db()
    assert action.note == "" and ModerationAction.objects.count() == 1
    assert client.get(reverse("admin:comments_moderationaction_add")).status_code == 403


def test_deleting_an_article_keeps_its_audit_records_readable(
    client, superuser, moderator, reader, published_article
):
    comment = CommentFactory(article=published_article, author=reader, body="Spammy")
    CommentFactory(parent=comment, body="A reply")
    moderation.hide(comment=comment, moderator=moderator, reason="spam")
    # The admin refuses (comments can't be deleted there); the ORM cascades.
    published_article.delete()
    assert not Comment.objects.exists()
    client.force_login(superuser)
    action = ModerationAction.objects.get(kind="hide")
    assert action.comment is None
    assert (action.comment_number, action.subject, action.moderator) == (
        comment.pk,
        reader,
        moderator,
    )
    html = client.get(reverse("admin:comments_moderationaction_changelist")).content.decode()
    assert f"#{comment.pk} (deleted)" in html


def test_reader_with_comments_cannot_be_deleted_and_admin_explains(
    client, superuser, reader, other_reader, published_article
):
    mine = CommentFactory(article=published_article, author=reader, body="Mine")
    CommentFactory(parent=mine, author=other_reader, body="Their reply")
    client.force_login(superuser)
    url = reverse("admin:accounts_user_delete", args=[reader.pk])
    page = client.get(url).content.decode()
    assert "can't be deleted" in page and "ban the reader" in page
    client.post(url, {"post": "yes"})
    assert Comment.objects.count() == 2
    assert type(reader).objects.filter(pk=reader.pk).exists()
    assert "Comments 2" in client.get(published_article.get_absolute_url()).content.decode()


def test_deleting_a_reader_without_comments_keeps_the_audit_record(
    client, superuser, reader, published_article
):
    from comments.models import BlockedTerm

    BlockedTerm.objects.create(phrase="scoundrel", action="refuse")
    client.force_login(reader)
    client.post(reverse("comments:post", args=[published_article.pk]), {"body": "scoundrel"})
    client.force_login(superuser)
    client.post(reverse("admin:accounts_user_delete", args=[reader.pk]), {"post": "yes"})
    assert not type(reader).objects.filter(pk=reader.pk).exists()
    refusal = ModerationAction.objects.get()
    assert (refusal.kind, refusal.subject, refusal.subject_username) == ("refuse", None, "reader")
    html = client.get(reverse("admin:comments_moderationaction_changelist")).content.decode()
    assert "reader (account deleted)" in html


def test_purging_comment_rows_updates_the_count(client, published_article):
    first, second = CommentFactory.create_batch(2, article=published_article)
    moderation.purge_comments(comments=Comment.objects.filter(pk=first.pk))
    assert "Comments 1" in client.get(published_article.get_absolute_url()).content.decode()
    moderation.purge_comments(comments=Comment.objects.filter(pk=second.pk))
    assert "Comments 0" in client.get(published_article.get_absolute_url()).content.decode()
