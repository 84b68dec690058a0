"""A reader deletes their account (GDPR article 17): personal data erased, threads intact."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import RetiredName, User
from comments import moderation
from comments.models import ArticleVisit, Comment, ModerationAction, ReaderNote, Report
from notifications.models import MutedThread, Notification, Preferences
from tests.conftest import PASSWORD
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

DELETE = reverse("accounts:delete")


@pytest.fixture
def conversation(reader, other_reader, moderator, published_article):
    """The reader's comments in every position a thread can put them in."""
    article = published_article
    c = {}
    c["answered"] = CommentFactory(article=article, author=reader, body="Answered by others.")
    c["reply_to_it"] = CommentFactory(parent=c["answered"], author=other_reader, body="I disagree.")
    c["alone"] = CommentFactory(article=article, author=reader, body="Nobody replied.")
    c["theirs"] = CommentFactory(article=article, author=other_reader, body="Another thread.")
    c["my_reply"] = CommentFactory(parent=c["theirs"], author=reader, body="My reply.")
    c["self_thread"] = CommentFactory(article=article, author=reader, body="Me...")
    c["self_reply"] = CommentFactory(parent=c["self_thread"], author=reader, body="...and me.")
    # Deep: the reader's comment two levels above another reader's reply.
    c["deep_top"] = CommentFactory(article=article, author=reader, body="Deep top.")
    c["deep_mid"] = CommentFactory(parent=c["deep_top"], author=reader, body="Deep middle.")
    c["deep_other"] = CommentFactory(parent=c["deep_mid"], author=other_reader, body="Deep other.")
    moderation.hide(comment=c["alone"], moderator=moderator, reason="off_topic", note="Off topic")
    moderation.report_comment(reporter=reader, comment=c["theirs"], reason="spam", note="Ad.")
    ModerationAction.objects.create(
        kind=ModerationAction.Kind.REFUSE, rule="blocked term", subject=reader, note="My rude text"
    )
    ReaderNote.objects.create(user=reader, text="Argues a lot", written_by=moderator)
    return c


def delete(client, password=PASSWORD):
    return client.post(DELETE, {"password": password})


@pytest.fixture
def deleted(client, reader, conversation, mailoutbox, django_capture_on_commit_callbacks):
    reader.set_avatar(ContentFile(b"RIFF....WEBP", name="a.webp"))
    client.force_login(reader)
    with django_capture_on_commit_callbacks(execute=True):
        response = delete(client)
    assert response.status_code == 302
    reader.refresh_from_db()
    return reader


def test_personal_data_is_erased_and_the_account_closed(client, deleted):
    assert not deleted.is_active and deleted.is_deleted
    assert deleted.email == deleted.first_name == deleted.last_name == ""
    assert not deleted.avatar
    assert not deleted.has_usable_password()
    assert deleted.username.startswith("deleted-") and deleted.username != "reader"
    assert deleted.display_name == "Deleted reader"
    assert "_auth_user_id" not in client.session
    assert (
        client.post(
            reverse("accounts:login"), {"username": "reader", "password": PASSWORD}
        ).status_code
        == 200
    )  # no such account any more
    assert client.get("/people/reader/").status_code == 404


def test_the_reader_gets_a_confirmation_email(deleted, mailoutbox):
    # (The conversation's hidden comment sent its notice first.)
    (message,) = [m for m in mailoutbox if "account" in m.subject]
    assert message.to == ["reader@example.com"]
    assert "deleted" in message.subject
    assert '"reader"' in message.body


def test_comments_others_replied_to_stay_as_placeholders_the_rest_go(
    deleted, conversation, published_article
):
    c = conversation
    remaining = set(Comment.objects.values_list("pk", flat=True))
    kept = {"answered", "deep_top", "deep_mid", "reply_to_it", "theirs", "deep_other"}
    assert remaining == {c[name].pk for name in kept}
    for name in ("answered", "deep_top", "deep_mid"):
        placeholder = Comment.objects.get(pk=c[name].pk)
        assert placeholder.is_deleted and placeholder.body == ""
    # Threads keep their shape: the replies hang where they did.
    assert Comment.objects.get(pk=c["reply_to_it"].pk).parent_id == c["answered"].pk
    assert Comment.objects.get(pk=c["deep_other"].pk).parent_id == c["deep_mid"].pk
    published_article.refresh_from_db()
    assert published_article.comment_count == Comment.objects.visible().count() == 3


def test_the_thread_shows_a_deleted_reader_and_keeps_the_reply(
    client, deleted, conversation, published_article
):
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert "I disagree." in html and "Deep other." in html
    assert "Answered by others." not in html and "Nobody replied." not in html
    assert "Comments 3" in html
    assert html.count("Deleted reader: comment removed with the account") == 3
    assert "/people/reader/" not in html


def test_the_audit_log_keeps_a_pseudonym_not_the_person(deleted, conversation):
    entries = ModerationAction.objects.filter(subject=deleted)
    assert entries.count() == 2  # the hide and the refusal
    assert set(entries.values_list("subject_username", flat=True)) == {deleted.username}
    assert not ModerationAction.objects.filter(subject_username="reader").exists()
    assert "My rude text" not in str(list(ModerationAction.objects.values_list("note", flat=True)))
    assert not ReaderNote.objects.filter(user=deleted).exists()


def test_reports_they_made_still_count_without_their_words(deleted, conversation):
    report = Report.objects.get(comment=conversation["theirs"])
    assert report.reporter_id == deleted.pk and report.note == ""


def test_the_username_and_its_look_alikes_are_held_then_released(client, deleted):
    def sign_up(username):
        return client.post(
            reverse("accounts:signup"),
            {
                "username": username,
                "email": "new@example.com",
                "password1": "a-long-unusual-passphrase",
                "password2": "a-long-unusual-passphrase",
                "accept_terms": "on",
            },
        )

    for name in ["reader", "READER", "r\u0435ader"]:  # Cyrillic е in the last
        assert "looks too much like" in sign_up(name).content.decode()
    assert not RetiredName.objects.filter(digest__contains="reader").exists()  # a digest only
    RetiredName.objects.update(held_until=timezone.now() - timedelta(seconds=1))
    assert sign_up("reader").status_code == 302


def test_comments_can_be_kept_as_by_a_deleted_reader(
    client, settings, reader, conversation, published_article
):
    settings.ACCOUNT_DELETED_COMMENTS = "keep"
    before = Comment.objects.count()
    client.force_login(reader)
    delete(client)
    assert Comment.objects.count() == before
    assert Comment.objects.get(pk=conversation["my_reply"].pk).body == "My reply."
    html = client.get(published_article.get_absolute_url()).content.decode()
    assert "My reply." in html and "Deleted reader" in html
    published_article.refresh_from_db()
    assert published_article.comment_count == Comment.objects.visible().count()


def test_a_wrong_password_deletes_nothing(client, reader, conversation):
    client.force_login(reader)
    response = delete(client, password="not-it")
    assert response.status_code == 200
    assert "That isn’t your current password." in response.content.decode()
    reader.refresh_from_db()
    assert reader.is_active and reader.email == "reader@example.com"
    assert Comment.objects.by(reader).count() == 7


def test_staff_accounts_are_closed_by_an_administrator(client, editor):
    client.force_login(editor)
    response = delete(client)
    assert "Staff accounts are closed by an administrator" in response.content.decode()
    editor.refresh_from_db()
    assert editor.is_active


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert "login" in client.post(DELETE, {"password": PASSWORD})["Location"]


def test_one_readers_deletion_leaves_others_alone(client, reader, other_reader, conversation):
    UserFactory(username="bystander")
    client.force_login(reader)
    delete(client)
    other_reader.refresh_from_db()
    assert other_reader.is_active and other_reader.email == "other@example.com"
    # The other reader, the bystander, the moderator and the article's editor.
    assert User.objects.active().count() == 4


def test_their_recommendations_go_and_the_counts_stay_exact(
    client, reader, other_reader, published_article, django_capture_on_commit_callbacks
):
    theirs = CommentFactory(article=published_article, author=other_reader)
    also = CommentFactory(article=published_article, author=other_reader)
    third = UserFactory()
    for recommender in (reader, third):
        moderation.recommend(reader=recommender, comment=theirs)
    moderation.recommend(reader=reader, comment=also)
    ArticleVisit.objects.create(reader=reader, article=published_article)
    client.force_login(reader)

    with django_capture_on_commit_callbacks(execute=True):
        assert delete(client).status_code == 302

    theirs.refresh_from_db()
    also.refresh_from_db()
    assert (theirs.recommendation_count, also.recommendation_count) == (1, 0)
    assert not reader.recommendations.exists() and not reader.article_visits.exists()


def test_their_notifications_and_choices_go(client, reader, other_reader, published_article):
    mine = CommentFactory(article=published_article, author=other_reader)
    hi = moderation.post_comment(author=reader, article=published_article, body="Hi", parent=mine)
    moderation.post_comment(author=other_reader, article=published_article, body="Yo", parent=hi)
    assert Notification.objects.filter(recipient=reader).exists()
    Preferences.objects.create(user=reader, reply_email="never")
    MutedThread.objects.create(user=reader, thread=mine)
    client.force_login(reader)

    assert delete(client).status_code == 302

    assert not Notification.objects.filter(recipient=reader).exists()
    assert not Preferences.objects.filter(user=reader).exists()
    assert not MutedThread.objects.filter(user=reader).exists()
