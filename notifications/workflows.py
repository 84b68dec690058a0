"""Notification workflows, called by name from the comment workflows
(comments/moderation/posting.py, decisions.py) inside their transactions.

Readers are never told about their own comments, about replies they cannot see, or
while they are banned or inactive. E-mails are tasks (notifications/emails.py) queued
in the same transaction, so they go out only if the change commits.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone
from django_tasks import task

from comments.models import Ban, Comment

from . import emails
from .models import MutedThread, Notification, Preferences


def may_notify(user) -> bool:
    """Whether this reader may be told anything now: active, and not banned."""
    return user.is_active and not Ban.objects.active().filter(user=user).exists()


def _thread_id(comment: Comment) -> int:
    return comment.root_id or comment.pk


def reply_posted(*, reply: Comment) -> None:
    """A reply became visible (posted, or approved after a hold): the author of the
    comment it answers is to be told, in-site and by e-mail if they chose it.

    Decided by a task (tell_about_reply), queued in the caller's transaction: posting a
    reply costs one INSERT more, not the reads the decision needs.
    """
    if settings.NOTIFICATIONS_ENABLED and reply.parent_id is not None and reply.is_visible:
        tell_about_reply.enqueue(reply_id=reply.pk)


@task()
@transaction.atomic
def tell_about_reply(*, reply_id: int) -> str:
    """Notify the author of the comment `reply_id` answers, unless the reply is no longer
    visible or they are not to be told (their own reply, banned, inactive, muted)."""
    reply = Comment.objects.filter(pk=reply_id).visible().first()
    if reply is None:
        return "reply no longer visible"
    notification = _notify_of_reply(reply)
    return f"notification {notification.pk}" if notification else "nobody to tell"


def _notify_of_reply(reply: Comment) -> Notification | None:
    thread_id = _thread_id(reply)
    # Everything the decision needs in one query: it runs for every reply.
    author = OuterRef("author")
    parent = (
        Comment.objects.select_related("author__notification_preferences")
        .annotate(
            banned=Exists(Ban.objects.active().filter(user=author)),
            muted=Exists(MutedThread.objects.filter(user=author, thread_id=thread_id)),
        )
        .get(pk=reply.parent_id)
    )
    recipient = parent.author
    if parent.is_deleted or recipient.pk == reply.author_id or not recipient.is_active:
        return None
    if parent.banned or parent.muted:
        return None
    thread = Notification.objects.for_reader(recipient).in_thread(thread_id)
    before = thread.aggregate(
        last_emailed=Max("emailed_at"),
        waiting=Count("pk", filter=Q(pk__in=thread.awaiting_email().values("pk"))),
    )
    try:
        with transaction.atomic():
            created = Notification.objects.create(
                recipient=recipient,
                kind=Notification.Kind.REPLY,
                comment=reply,
                thread_id=thread_id,
                # An address nobody confirmed is never written to: not waiting for an
                # e-mail (as with a muted thread), so no later e-mail carries it either.
                emailed_at=None if recipient.email_confirmed else timezone.now(),
            )
    except IntegrityError:  # already told about this reply (approved once before)
        return None
    # One e-mail task per thread at a time: replies that find one waiting join it.
    wants_now = Preferences.of(recipient).reply_email == Preferences.ReplyEmail.IMMEDIATELY
    if wants_now and not before["waiting"]:
        emails.schedule_replies(
            recipient_id=recipient.pk, thread_id=thread_id, last_emailed=before["last_emailed"]
        )
    return created


def _moderation_notice(comment: Comment, kind: str, *, reason: str = "") -> Notification | None:
    author = comment.author
    if not settings.NOTIFICATIONS_ENABLED or not may_notify(author):
        return None
    notice = Notification.objects.create(
        recipient=author, kind=kind, comment=comment, thread_id=_thread_id(comment), reason=reason
    )
    if Preferences.of(author).moderation_email and author.email and author.email_confirmed:
        emails.send_moderation_notice(notification=notice)
    return notice


def comment_approved(*, comment: Comment) -> Notification | None:
    """A moderator approved the author's held comment: tell the author."""
    return _moderation_notice(comment, Notification.Kind.APPROVED)


def comment_hidden(*, comment: Comment) -> Notification | None:
    """A moderator hid the author's comment: tell the author why, with the guidelines."""
    return _moderation_notice(comment, Notification.Kind.HIDDEN, reason=comment.hidden_reason)


def comment_featured(*, comment: Comment) -> Notification | None:
    """An editor or moderator featured the author's comment above the thread: tell them."""
    return _moderation_notice(comment, Notification.Kind.FEATURED)


def mark_read(*, user, notifications) -> int:
    """The reader has seen these notifications (their own only); returns how many."""
    return (
        Notification.objects.for_reader(user)
        .unread()
        .filter(pk__in=[n.pk for n in notifications])
        .update(read_at=timezone.now())
    )


@transaction.atomic
def mute_thread(*, user, thread_id: int) -> None:
    """No more notifications about this conversation; those waiting for an e-mail are
    dropped from it (they stay on the notifications page)."""
    MutedThread.objects.get_or_create(user=user, thread_id=thread_id)
    Notification.objects.for_reader(user).in_thread(thread_id).awaiting_email().update(
        emailed_at=timezone.now()
    )


def unmute_thread(*, user, thread_id: int) -> None:
    MutedThread.objects.filter(user=user, thread_id=thread_id).delete()


@transaction.atomic
def unsubscribe(*, user) -> Preferences:
    """Stop every notification e-mail to this reader (from an e-mail's unsubscribe link)."""
    preferences, _ = Preferences.objects.select_for_update().get_or_create(user=user)
    preferences.reply_email = Preferences.ReplyEmail.NEVER
    preferences.moderation_email = False
    preferences.save(update_fields=["reply_email", "moderation_email"])
    return preferences
