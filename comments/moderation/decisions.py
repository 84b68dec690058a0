"""Moderators' decisions. Each locks the rows it changes and records itself,
so two moderators deciding at once leave a consistent state and both entries
in the audit log."""

from collections import Counter
from collections.abc import Iterable
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from ..models import Ban, Comment, ModerationAction, PremoderatedReader, Report
from .posting import refresh_article_stats
from .reports import held_by_reports
from .rules import ban_cache_key

Kind = ModerationAction.Kind
# Recorded as the reason of a dismissal that made a comment held by reports visible again.
RELEASED = "visible again"


def _locked(comment: Comment, *, seen_text: str | None = None) -> Comment:
    """The comment's row, locked; `seen_text` is the text version the moderator read
    (Comment.text_version), when a decision would publish the text."""
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if seen_text is not None and seen_text != locked.text_version:
        raise ValueError(
            f"Comment {locked.pk} was edited by its author after you loaded the page; "
            "read it again before deciding."
        )
    return locked


def _resolve_reports(comment: Comment, now) -> object:
    """Close the comment's open reports; return when the oldest of them was made."""
    open_reports = Report.objects.open().filter(comment=comment)
    first = open_reports.aggregate(first=Min("created_at"))["first"]
    open_reports.update(resolved_at=now)
    return first


def _record(kind, moderator, comment, *, reason="", note="", first_report_at=None, now=None):
    return ModerationAction.objects.create(
        kind=kind, moderator=moderator, comment=comment, subject=comment.author,
        reason=reason, note=note, first_report_at=first_report_at, created_at=now or timezone.now(),
    )  # fmt: skip


@transaction.atomic
def approve(
    *, comment: Comment, moderator, note: str = "", seen_text: str | None = None
) -> Comment:
    """Make the comment visible and resolve its reports; later reports won't hold it again.

    With `seen_text`, refuses (ValueError) when the text changed since the moderator read it.
    """
    comment, now = _locked(comment, seen_text=seen_text), timezone.now()
    if comment.status == Comment.Status.DELETED:
        raise ValueError("A comment deleted by its author cannot be approved.")
    comment.status = Comment.Status.VISIBLE
    comment.approved_at = now
    comment.hidden_reason = comment.hidden_note = ""
    comment.save(update_fields=["status", "approved_at", "hidden_reason", "hidden_note"])
    first = _resolve_reports(comment, now)
    _record(Kind.APPROVE, moderator, comment, note=note, first_report_at=first, now=now)
    refresh_article_stats([comment.article_id])
    return comment


@transaction.atomic
def hide(*, comment: Comment, moderator, reason: str, note: str = "") -> Comment:
    if reason not in Comment.HideReason.values:
        raise ValueError(f"Unknown hide reason: {reason!r}")
    comment, now = _locked(comment), timezone.now()
    if comment.status == Comment.Status.DELETED:
        raise ValueError("A comment deleted by its author cannot be hidden.")
    comment.status = Comment.Status.HIDDEN
    comment.hidden_reason, comment.hidden_note = reason, note
    comment.save(update_fields=["status", "hidden_reason", "hidden_note"])
    first = _resolve_reports(comment, now)
    _record(Kind.HIDE, moderator, comment, reason=reason, note=note, first_report_at=first, now=now)
    refresh_article_stats([comment.article_id])
    return comment


@transaction.atomic
def restore(*, comment: Comment, moderator, note: str = "") -> Comment:
    """Undo a hide: the comment is visible again, and counts as approved."""
    comment, now = _locked(comment), timezone.now()
    if comment.status != Comment.Status.HIDDEN:
        raise ValueError("Only hidden comments can be restored.")
    comment.status = Comment.Status.VISIBLE
    comment.approved_at = now
    comment.hidden_reason = comment.hidden_note = ""
    comment.save(update_fields=["status", "approved_at", "hidden_reason", "hidden_note"])
    _record(Kind.RESTORE, moderator, comment, note=note, now=now)
    refresh_article_stats([comment.article_id])
    return comment


@transaction.atomic
def dismiss_reports(
    *, comment: Comment, moderator, note: str = "", seen_text: str | None = None
) -> Comment:
    """The reports were unfounded: close them. A comment they held is visible again;
    any other comment stays as it is. `seen_text` as for approve()."""
    comment, now = _locked(comment, seen_text=seen_text), timezone.now()
    released = held_by_reports(comment)
    first = _resolve_reports(comment, now)
    if released:
        comment.status = Comment.Status.VISIBLE
        comment.save(update_fields=["status"])
    reason = RELEASED if released else ""
    _record(
        Kind.DISMISS, moderator, comment, reason=reason, note=note, first_report_at=first, now=now
    )
    if released:
        refresh_article_stats([comment.article_id])
    return comment


def ban_refusal(*, user, moderator) -> str | None:
    """Why this moderator may not ban this user, if they may not."""
    if user.pk == moderator.pk:
        return "You can't ban yourself."
    if user.is_superuser or user.is_staff:
        return f"{user.get_username()} is a member of staff; staff accounts can't be banned."
    return None


@transaction.atomic
def ban(*, user, moderator, reason: str, days: int | None, hide_comments: bool = False) -> Ban:
    """Bar a reader from commenting and reporting; optionally hide all their visible comments.

    Raises ValueError for a ban that ban_refusal() refuses (oneself, staff, superusers).
    """
    refusal = ban_refusal(user=user, moderator=moderator)
    if refusal:
        raise ValueError(refusal)
    now = timezone.now()
    ban = Ban.objects.create(
        user=user, reason=reason, created_by=moderator, created_at=now,
        expires_at=now + timedelta(days=days) if days else None,
    )  # fmt: skip
    _forget_ban(user.pk)
    duration = f"{days} days" if days else "permanent"
    ModerationAction.objects.create(
        kind=Kind.BAN,
        moderator=moderator,
        subject=user,
        reason=duration,
        note=reason,
        created_at=now,
    )
    if hide_comments:
        _hide_all(user, moderator, now, note=f"Hidden with the ban: {reason}")
    return ban


def _hide_all(user, moderator, now, *, note: str) -> None:
    comments = list(
        Comment.objects.select_for_update().filter(author=user, status=Comment.Status.VISIBLE)
    )
    for comment in comments:
        comment.status = Comment.Status.HIDDEN
        comment.hidden_reason, comment.hidden_note = Comment.HideReason.OTHER, note
        comment.updated_at = now  # bulk_update skips auto_now; the fragment cache keys on it
    Comment.objects.bulk_update(comments, ["status", "hidden_reason", "hidden_note", "updated_at"])
    Report.objects.open().filter(comment__in=comments).update(resolved_at=now)
    ModerationAction.objects.bulk_create(
        ModerationAction(
            kind=Kind.HIDE,
            moderator=moderator,
            comment=c,
            subject=user,
            reason=Comment.HideReason.OTHER,
            note=note,
            created_at=now,
        )  # fmt: skip
        for c in comments
    )
    refresh_article_stats({c.article_id for c in comments})


def _forget_ban(user_id) -> None:
    # Now, and again once committed, so no request can re-cache the old answer in between.
    cache.delete(ban_cache_key(user_id))
    transaction.on_commit(lambda: cache.delete(ban_cache_key(user_id)))


@transaction.atomic
def lift_ban(*, ban: Ban, moderator, note: str = "") -> Ban:
    ban = Ban.objects.select_for_update().get(pk=ban.pk)
    if ban.lifted_at is None:
        ban.lifted_at = timezone.now()
        ban.save(update_fields=["lifted_at"])
        _forget_ban(ban.user_id)
        ModerationAction.objects.create(
            kind=Kind.UNBAN, moderator=moderator, subject=ban.user, note=note
        )
    return ban


@transaction.atomic
def set_premoderation(*, user, moderator, on: bool, note: str = "") -> None:
    if on:
        _, created = PremoderatedReader.objects.get_or_create(
            user=user, defaults={"added_by": moderator}
        )
    else:
        created = PremoderatedReader.objects.filter(user=user).delete()[0] > 0
    if created:
        kind = Kind.PREMODERATE if on else Kind.UNPREMODERATE
        ModerationAction.objects.create(kind=kind, moderator=moderator, subject=user, note=note)


def decide_many(decision, comments: Iterable[Comment], **kwargs) -> tuple[int, Counter]:
    """Apply one decision to several comments (admin bulk actions); each is recorded.

    Returns how many were decided, and why the others were skipped (message: count),
    e.g. restoring a comment that is not hidden, or approving one its author deleted.
    """
    done, skipped = 0, Counter()
    for comment in comments:
        try:
            decision(comment=comment, **kwargs)
        except ValueError as refusal:
            skipped[str(refusal)] += 1
            continue
        done += 1
    return done, skipped
