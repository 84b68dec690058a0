"""Notification e-mails: replies (one e-mail per conversation at a time, or a daily
digest) and moderators' decisions. Each goes out through newsroom.mail.send_email, with
a one-click unsubscribe link and List-Unsubscribe headers (RFC 8058).

Replies are e-mailed by tasks that look again, when they run, at what is waiting: a
reply hidden since, a reader banned or unsubscribed since, a thread muted since, is
not e-mailed. Within settings.NOTIFICATIONS_EMAIL_WINDOW of an e-mail about a thread,
the next one waits until the window is over and then carries every reply since.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from comments.models import Ban
from newsroom.mail import send_email
from newsroom.site import absolute_url

from . import unsubscribe
from .models import MutedThread, Notification, Preferences

DIGEST_EVERY = timedelta(days=1)


def _recipient(user_id: int):
    """The reader, if they may still be e-mailed: active, with a confirmed address, not
    banned (whatever they chose, an address nobody confirmed is never written to)."""
    user = (
        get_user_model()
        .objects.filter(pk=user_id, is_active=True, email_confirmed_at__isnull=False)
        .exclude(email="")
        .first()
    )
    if user is None or Ban.objects.active().filter(user=user).exists():
        return None
    return user


def _send(user, *, subject: str, template: str, context: dict) -> None:
    context = {
        **context,
        "user": user,
        "site_name": settings.SITE_NAME,
        "notifications_url": absolute_url(reverse("notifications:list")),
        "settings_url": absolute_url(reverse("accounts:settings")),
        "unsubscribe_url": unsubscribe.url_for(user),
    }
    send_email(
        to=user.email,
        subject=subject,
        body=render_to_string(template, context),
        headers=unsubscribe.headers_for(user),
    )


def _last_emailed(recipient_id: int, thread_id: int):
    return Notification.objects.filter(recipient_id=recipient_id, thread_id=thread_id).aggregate(
        last=Max("emailed_at")
    )["last"]


_UNKNOWN = object()


def schedule_replies(*, recipient_id: int, thread_id: int, last_emailed=_UNKNOWN) -> None:
    """Queue the e-mail about this thread's new replies: now, or when the window since
    the last e-mail about the thread (`last_emailed`, if the caller knows it) closes. A
    backend that can't defer tasks leaves the later e-mail to `send_due` (run by a
    scheduler, see README)."""
    last = _last_emailed(recipient_id, thread_id) if last_emailed is _UNKNOWN else last_emailed
    if last is None or last <= timezone.now() - settings.NOTIFICATIONS_EMAIL_WINDOW:
        email_replies.enqueue(recipient_id=recipient_id, thread_id=thread_id)
    elif email_replies.get_backend().supports_defer:
        email_replies.using(run_after=last + settings.NOTIFICATIONS_EMAIL_WINDOW).enqueue(
            recipient_id=recipient_id, thread_id=thread_id
        )


def _shown(notifications) -> list[Notification]:
    """Those whose reply readers can still see, on a public article."""
    return [n for n in notifications if n.comment.is_visible and n.comment.article.is_public]


def _waiting(user):
    muted = MutedThread.objects.filter(user=user).values("thread_id")
    return (
        Notification.objects.for_reader(user)
        .awaiting_email()
        .exclude(thread_id__in=muted)
        .select_related("comment__author", "comment__article", "comment__parent")
        .select_for_update(of=("self",), skip_locked=True)
        .order_by("created_at", "pk")
    )


@task()
def email_replies(*, recipient_id: int, thread_id: int) -> str:
    """One e-mail with every reply in this thread the reader has not been told about."""
    user = _recipient(recipient_id)
    if user is None:
        return "recipient may not be e-mailed"
    if Preferences.of(user).reply_email != Preferences.ReplyEmail.IMMEDIATELY:
        return "recipient does not want immediate e-mails"
    with transaction.atomic():
        # Locked (others skip them), so two workers never e-mail the same replies.
        waiting = list(_waiting(user).in_thread(thread_id))
        if not waiting:
            return "nothing waiting"  # sent by another task, or read on the site
        last = _last_emailed(recipient_id, thread_id)
        if last is not None and last > timezone.now() - settings.NOTIFICATIONS_EMAIL_WINDOW:
            schedule_replies(recipient_id=recipient_id, thread_id=thread_id)
            return "within the window: rescheduled"
        Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(
            emailed_at=timezone.now()
        )
        shown = _shown(waiting)
        if not shown:
            return "nothing to send"
        article = shown[0].comment.article
        several = len(shown) > 1
        _send(
            user,
            subject=(
                f"{len(shown)} new replies to your comment on “{article.title}”"
                if several
                else f"{shown[0].comment.author.display_name} replied to your comment on “{article.title}”"
            ),
            template="notifications/email/replies.txt",
            context={"replies": _described(shown), "article": article},
        )
    return f"{len(shown)} replies e-mailed"


def _described(notifications) -> list[dict]:
    return [
        {
            "author": n.comment.author.display_name,
            "body": n.comment.body,
            "article": n.comment.article.title,
            "url": absolute_url(n.get_absolute_url()),
        }
        for n in notifications
    ]


@task()
def send_digest(*, recipient_id: int) -> str:
    """The daily e-mail of every reply the reader has not been told about."""
    user = _recipient(recipient_id)
    if user is None:
        return "recipient may not be e-mailed"
    with transaction.atomic():
        preferences, _ = Preferences.objects.select_for_update().get_or_create(user=user)
        now = timezone.now()
        if preferences.reply_email != Preferences.ReplyEmail.DAILY:
            return "recipient does not want a digest"
        if preferences.last_digest_at and preferences.last_digest_at > now - DIGEST_EVERY:
            return "digest already sent today"
        waiting = list(_waiting(user))
        Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(emailed_at=now)
        preferences.last_digest_at = now
        preferences.save(update_fields=["last_digest_at"])
        shown = _shown(waiting)
        if not shown:
            return "nothing to send"
        _send(
            user,
            subject=f"Your {settings.SITE_NAME} replies: {len(shown)} new",
            template="notifications/email/digest.txt",
            context={"replies": _described(shown)},
        )
    return f"digest of {len(shown)} replies e-mailed"


def send_moderation_notice(*, notification: Notification) -> None:
    comment = notification.comment
    kind = notification.kind
    title = comment.article.title
    subjects = {
        Notification.Kind.APPROVED: f"Your comment on “{title}” is published",
        Notification.Kind.HIDDEN: f"Your comment on “{title}” was hidden",
        Notification.Kind.FEATURED: f"Your comment on “{title}” is featured",
    }
    _send(
        notification.recipient,
        subject=subjects[kind],
        template="notifications/email/moderation.txt",
        context={
            "approved": kind == Notification.Kind.APPROVED,
            "featured": kind == Notification.Kind.FEATURED,
            "comment": comment,
            "reason": notification.reason_label,
            "comment_url": absolute_url(notification.get_absolute_url()),
            "guidelines_url": absolute_url(settings.COMMUNITY_GUIDELINES_URL),
        },
    )


def send_due() -> int:
    """Queue the e-mails that are due: replies whose thread's window has closed (for
    backends without deferred tasks, or after a worker outage) and daily digests.
    Run every few minutes by a scheduler (`manage.py send_notification_emails`).
    Returns how many tasks were queued."""
    now = timezone.now()
    waiting = Notification.objects.awaiting_email()
    immediate = waiting.exclude(
        recipient__notification_preferences__reply_email__in=[
            Preferences.ReplyEmail.DAILY,
            Preferences.ReplyEmail.NEVER,
        ]
    )
    queued = 0
    pairs = immediate.order_by().values_list("recipient_id", "thread_id").distinct()
    for recipient_id, thread_id in pairs:
        last = _last_emailed(recipient_id, thread_id)
        if last is None or last <= now - settings.NOTIFICATIONS_EMAIL_WINDOW:
            email_replies.enqueue(recipient_id=recipient_id, thread_id=thread_id)
            queued += 1
    digest_due = (
        Preferences.objects.filter(reply_email=Preferences.ReplyEmail.DAILY)
        .filter(Q(last_digest_at__isnull=True) | Q(last_digest_at__lte=now - DIGEST_EVERY))
        .filter(user__in=waiting.values("recipient_id"))
    )
    for user_id in digest_due.values_list("user_id", flat=True):
        send_digest.enqueue(recipient_id=user_id)
        queued += 1
    return queued
