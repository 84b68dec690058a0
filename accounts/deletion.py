"""Deleting an account at its owner's request (GDPR article 17).

The row stays, deactivated and pseudonymous, because comments others replied to
must keep their place in a thread and the moderation audit log must keep
pointing at someone; everything that identifies the person is erased. Each step
is a function below, so data other apps keep about a reader is erased here too,
in the same transaction.
"""

import secrets
from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from comments.models import ArticleVisit, Comment, ModerationAction, ReaderNote, Report
from comments.moderation import (
    author_changed,
    purge_comments,
    refresh_article_stats,
    withdraw_recommendations,
)
from notifications.models import MutedThread, Notification, Preferences

from . import emails, identity
from .models import RetiredName, User
from .throttling import lockout_username_of


@transaction.atomic
def delete_account(*, user: User, comments: str | None = None) -> None:
    """Deactivate `user` and erase their personal data.

    `comments` (default ACCOUNT_DELETED_COMMENTS): "remove" deletes their comments
    except those others replied to, which stay as "Deleted reader" placeholders
    without their text; "keep" keeps them all, shown as by "Deleted reader".
    The reader gets a confirmation e-mail once this commits.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    address, username = user.email, user.username
    policy = comments or settings.ACCOUNT_DELETED_COMMENTS
    retire_username(username)
    if policy == "remove":
        remove_comments(author=user)
    erase_reports_and_notes(user=user)
    withdraw_recommendations(reader=user)
    ArticleVisit.objects.filter(reader=user).delete()
    forget_notifications(user=user)
    forget_login_failures(username=username)
    erase_profile(user=user)
    pseudonymise_audit_log(user=user)
    author_changed(author=user)  # every page that showed the reader shows "Deleted reader"
    if address:
        emails.send(  # queued in this transaction: sent only once the deletion commits
            to=address,
            subject=f"Your {settings.SITE_NAME} account is deleted",
            template="account_deleted",
            context={"username": username, "comments_kept": policy == "keep"},
        )


def retire_username(username: str) -> None:
    """Keep the name (and its look-alikes) from anyone else for a while."""
    held_until = timezone.now() + timedelta(days=settings.ACCOUNT_DELETED_NAME_HOLD_DAYS)
    RetiredName.objects.update_or_create(
        digest=identity.retired_digest(username), defaults={"held_until": held_until}
    )


def remove_comments(*, author: User) -> None:
    """Delete the author's comments, keeping as empty placeholders those that another
    reader's reply (directly or further down) still hangs from."""
    own = Comment.objects.by(author)
    roots = {root or pk for pk, root in own.values_list("pk", "root_id")}
    parents = dict(Comment.objects.in_threads(roots).values_list("pk", "parent_id"))
    owned = set(own.values_list("pk", flat=True))
    needed = set()
    for pk in parents.keys() - owned:  # others' comments: keep every ancestor they have
        parent = parents[pk]
        while parent is not None and parent not in needed:
            if parent in owned:
                needed.add(parent)
            parent = parents[parent]
    placeholders = own.filter(pk__in=needed)
    # updated_at is part of each comment's cached fragment key: the placeholder replaces it.
    placeholders.update(
        body="", body_html="", status=Comment.Status.DELETED, updated_at=timezone.now()
    )
    refresh_article_stats(placeholders.values_list("article_id", flat=True))
    purge_comments(comments=own.exclude(pk__in=needed))


def erase_reports_and_notes(*, user: User) -> None:
    """Reports they made stay (counted once, as before) without their words; moderators'
    private notes about them go."""
    Report.objects.filter(reporter=user).update(note="")
    ReaderNote.objects.filter(user=user).delete()


def forget_notifications(*, user: User) -> None:
    """What they were told and how they wanted to be told: theirs alone, and useless now."""
    Notification.objects.filter(recipient=user).delete()
    Preferences.objects.filter(user=user).delete()
    MutedThread.objects.filter(user=user).delete()


def forget_login_failures(*, username: str) -> None:
    AccessAttempt.objects.filter(username=lockout_username_of(username)).delete()


def erase_profile(*, user: User) -> None:
    if user.avatar:
        user.remove_avatar()
    user.username = f"deleted-{secrets.token_hex(6)}"
    user.first_name = user.last_name = user.email = user.pending_email = ""
    user.email_confirmed_at = user.last_login = None
    user.is_active = user.is_staff = user.is_superuser = False
    user.deleted_at = timezone.now()
    user.set_unusable_password()  # also ends every session the account had
    user.save()
    user.groups.clear()
    user.user_permissions.clear()


def pseudonymise_audit_log(*, user: User) -> None:
    """The audit log keeps its entries about the reader, under the new pseudonym; the text
    of comments a rule refused (which the entry quoted) goes."""
    ModerationAction.objects.filter(subject=user).update(subject_username=user.username)
    ModerationAction.objects.filter(subject=user, kind=ModerationAction.Kind.REFUSE).update(note="")
