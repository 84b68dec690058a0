"""Who is told about a reply, and how: in-site always, by e-mail as the reader chose."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from comments import moderation
from comments.models import Comment, ModerationPolicy
from notifications.models import Notification, Preferences

pytestmark = pytest.mark.django_db


def notifications_of(user):
    return list(Notification.objects.for_reader(user))


def test_a_reply_notifies_the_comment_author_in_site_and_by_email(
    author, replier, comment, reply, mailoutbox
):
    answer = reply("I disagree with this.")
    [notice] = notifications_of(author)
    assert (notice.kind, notice.comment, notice.thread) == ("reply", answer, comment)
    [email] = mailoutbox
    assert email.to == [author.email]
    assert email.subject == f"Ann Smith replied to your comment on “{comment.article.title}”"
    assert "I disagree with this." in email.body
    assert f"/comments/{answer.pk}/" in email.body
    assert notifications_of(replier) == []


def test_no_notification_for_replying_to_oneself(author, comment, reply, mailoutbox):
    reply("And another thing.", by=author)
    assert notifications_of(author) == [] and mailoutbox == []


def test_a_held_reply_notifies_nobody_until_it_is_approved(
    author, replier, comment, reply, moderator, mailoutbox
):
    ModerationPolicy.objects.update_or_create(pk=1, defaults={"hold_until_first_approval": True})
    from newsroom import freshness

    freshness.changed([freshness.RULES])
    answer = reply("Held at first.")
    assert answer.status == Comment.Status.PENDING
    assert notifications_of(author) == [] and mailoutbox == []

    moderation.approve(comment=answer, moderator=moderator)
    assert [n.kind for n in notifications_of(author)] == ["reply"]
    assert [n.kind for n in notifications_of(replier)] == ["approved"]
    assert sorted(m.to[0] for m in mailoutbox) == sorted([author.email, replier.email])


def test_a_reply_approved_twice_is_told_once(author, comment, reply, moderator):
    answer = reply("Visible at once.")
    answer.hold()
    moderation.approve(comment=answer, moderator=moderator)
    assert len(notifications_of(author)) == 1


def test_a_reply_hidden_before_its_email_goes_is_not_emailed(
    author, comment, reply, moderator, mailoutbox, settings
):
    reply("First reply")  # e-mailed at once; the window opens
    mailoutbox.clear()
    second = reply("Second reply, soon hidden")
    moderation.hide(comment=second, moderator=moderator, reason="spam")
    Notification.objects.update(emailed_at=None)  # as if the window had closed unsent
    Notification.objects.filter(comment__body="First reply").update(
        emailed_at=second.created_at - settings.NOTIFICATIONS_EMAIL_WINDOW - timedelta(seconds=1)
    )
    call_command("send_notification_emails")
    to_author = [m for m in mailoutbox if m.to == [author.email]]
    assert to_author == []


@pytest.mark.parametrize("standing", ["banned", "inactive"])
def test_banned_or_inactive_readers_are_not_notified(
    author, comment, reply, moderator, mailoutbox, standing
):
    if standing == "banned":
        moderation.ban(user=author, moderator=moderator, reason="Abuse", days=3)
    else:
        type(author).objects.filter(pk=author.pk).update(is_active=False)
    reply("Hello?")
    assert notifications_of(author) == [] and mailoutbox == []


def test_replies_within_the_window_join_the_next_email(
    author, comment, reply, mailoutbox, settings
):
    reply("One")
    reply("Two")
    reply("Three")
    assert [m.subject for m in mailoutbox] == [
        f"Ann Smith replied to your comment on “{comment.article.title}”"
    ]
    call_command("send_notification_emails")  # the window is still open: nothing yet
    assert len(mailoutbox) == 1
    # The window closes: the next e-mail carries both later replies.
    Notification.objects.exclude(emailed_at=None).update(
        emailed_at=comment.created_at - settings.NOTIFICATIONS_EMAIL_WINDOW
    )
    call_command("send_notification_emails")
    assert len(mailoutbox) == 2
    assert mailoutbox[1].subject == f"2 new replies to your comment on “{comment.article.title}”"
    assert "Two" in mailoutbox[1].body and "Three" in mailoutbox[1].body
    assert "One" not in mailoutbox[1].body.split("replies to your comment")[1].split("--")[0]


def test_the_window_is_per_thread(author, published_article, replier, mailoutbox):
    first = moderation.post_comment(author=author, article=published_article, body="A")
    second = moderation.post_comment(author=author, article=published_article, body="B")
    for parent in (first, second):
        moderation.post_comment(
            author=replier, article=published_article, body="Reply", parent=parent
        )
    assert len(mailoutbox) == 2


def test_digest_readers_get_one_daily_email(author, comment, reply, mailoutbox):
    Preferences.objects.create(user=author, reply_email=Preferences.ReplyEmail.DAILY)
    reply("One")
    reply("Two", to=comment)
    assert mailoutbox == []
    call_command("send_notification_emails")
    [digest] = mailoutbox
    assert "One" in digest.body and "Two" in digest.body
    reply("Three")
    call_command("send_notification_emails")  # the next digest waits for tomorrow
    assert len(mailoutbox) == 1
    Preferences.objects.update(last_digest_at=digest_sent_yesterday())
    call_command("send_notification_emails")
    assert len(mailoutbox) == 2 and "Three" in mailoutbox[1].body


def digest_sent_yesterday():
    from django.utils import timezone

    return timezone.now() - timedelta(days=1, minutes=1)


def test_never_means_in_site_only(author, comment, reply, mailoutbox):
    Preferences.objects.create(user=author, reply_email=Preferences.ReplyEmail.NEVER)
    reply("Quiet")
    call_command("send_notification_emails")
    assert len(notifications_of(author)) == 1 and mailoutbox == []


def test_preferences_are_chosen_on_the_settings_page(client, author):
    client.force_login(author)
    page = client.get(reverse("accounts:settings")).content.decode()
    assert "E-mail me about replies" in page
    assert 'value="immediately" required id="id_reply_email_0" checked' in page  # the default
    response = client.post(
        reverse("notifications:preferences"), {"reply_email": "daily", "moderation_email": ""}
    )
    assert response.status_code == 302
    prefs = Preferences.objects.get(user=author)
    assert (prefs.reply_email, prefs.moderation_email) == ("daily", False)
    client.post(reverse("notifications:preferences"), {"reply_email": "sometimes"})
    assert Preferences.objects.get(user=author).reply_email == "daily"


def test_preferences_need_a_login(client):
    response = client.post(reverse("notifications:preferences"), {"reply_email": "never"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Preferences.objects.exists()


def test_muting_a_thread_from_the_notification(client, author, comment, reply, mailoutbox):
    reply("Before muting")
    client.force_login(author)
    page = client.get(reverse("notifications:list")).content.decode()
    mute_url = reverse("notifications:mute", args=[comment.pk])
    assert mute_url in page
    client.post(mute_url, {"action": "mute"})
    reply("After muting")
    reply("Deeper, after muting", to=Comment.objects.get(body="Before muting"), by=author)
    reply("Deepest", to=Comment.objects.get(body="Deeper, after muting"))
    assert [n.comment.body for n in notifications_of(author)] == ["Before muting"]
    assert len([m for m in mailoutbox if m.to == [author.email]]) == 1
    client.post(mute_url, {"action": "unmute"})
    reply("After unmuting")
    assert len(notifications_of(author)) == 2


def test_a_reader_cannot_act_on_someone_elses_notifications(
    client, replier, author, comment, reply
):
    reply("For Bea only")
    client.force_login(replier)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "For Bea only" not in page
    assert Notification.objects.for_reader(author).unread().count() == 1


def test_with_the_queue_later_replies_wait_in_one_deferred_task(
    author, comment, reply, mailoutbox, settings, run_worker
):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    work = run_worker
    reply("One")
    work()
    assert len(mailoutbox) == 1
    reply("Two")
    reply("Three")
    work()  # the notifications are made; the e-mail waits for the window to close
    assert len(mailoutbox) == 1
    [deferred] = DBTaskResult.objects.filter(status="READY")
    sent_at = Notification.objects.get(comment__body="One").emailed_at
    assert deferred.run_after == sent_at + settings.NOTIFICATIONS_EMAIL_WINDOW
    DBTaskResult.objects.filter(pk=deferred.pk).update(run_after=timezone.now())
    Notification.objects.filter(comment__body="One").update(
        emailed_at=sent_at - settings.NOTIFICATIONS_EMAIL_WINDOW
    )
    work()
    assert len(mailoutbox) == 2
    assert "Two" in mailoutbox[1].body and "Three" in mailoutbox[1].body


def test_a_reply_hidden_before_the_worker_gets_to_it_tells_nobody(
    author, comment, reply, moderator, mailoutbox, run_worker
):
    answer = reply("Soon hidden")
    moderation.hide(comment=answer, moderator=moderator, reason="spam")
    run_worker()
    assert notifications_of(author) == []
    assert [m.to for m in mailoutbox] == [[answer.author.email]]  # only the hide notice


def test_the_scheduler_queues_one_email_per_reader_and_thread(
    author, comment, reply, settings, run_worker
):
    from io import StringIO

    reply("One")
    run_worker()  # e-mailed at once: the window opens
    reply("Two")
    reply("Three")
    run_worker()  # these wait for the window to close
    Notification.objects.exclude(emailed_at=None).update(
        emailed_at=comment.created_at - settings.NOTIFICATIONS_EMAIL_WINDOW
    )
    out = StringIO()
    call_command("send_notification_emails", stdout=out)
    assert out.getvalue().strip() == "1 notification e-mails queued."


def test_an_unconfirmed_address_is_told_on_the_site_but_never_emailed(
    author, reply, moderator, comment, mailoutbox
):
    author.email_confirmed_at = None
    author.save()

    reply("Are you sure?")
    moderation.hide(comment=comment, moderator=moderator, reason="spam")

    assert Notification.objects.for_reader(author).count() == 2
    assert mailoutbox == []
    assert Preferences.of(author).reply_email == Preferences.ReplyEmail.NEVER


def test_an_unconfirmed_reader_who_chose_emails_still_gets_none_until_confirmed(
    author, reply, mailoutbox, settings
):
    # (The reply not e-mailed counts as the conversation's last e-mail for the window.)
    settings.NOTIFICATIONS_EMAIL_WINDOW = timedelta(0)
    author.email_confirmed_at = None
    author.save()
    Preferences.objects.create(user=author, reply_email=Preferences.ReplyEmail.IMMEDIATELY)

    reply("First reply")
    assert mailoutbox == []

    author.confirm_email(author.email)
    reply("Second reply", to=None)
    assert [m.to for m in mailoutbox] == [[author.email]]
