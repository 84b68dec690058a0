"""Moderators' decisions. Each locks the rows it changes and records itself,
so two moderators deciding at once leave a consistent state and both entries
in the audit log."""

from collections import Counter
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from accounts.models import User
from newsroom import freshness
from notifications import workflows as notifications

from ..models import Ban, Comment, Decision, ModerationAction, PremoderatedReader, Report
from .posting import refresh_article_stats
from .reports import held_by_reports

Kind = ModerationAction.Kind
# Recorded as the reason of a dismissal that made a comment held by reports visible again.
RELEASED = "visible again"


def _locked(
    comment: Comment, decision: Decision, *, seen_text: str | None = None
) -> tuple[Comment, "OpenReports"]:
    """The comment's row, locked, and its open reports; refuses (ValueError) a decision
    the comment does not allow as it now stands (Comment.allowed_decisions).

    `seen_text` is the text version the moderator read (Comment.text_version), when a
    decision would publish the text: an edit since then is refused too.
    """
    locked = Comment.objects.select_for_update().get(pk=comment.pk)
    if seen_text is not None and seen_text != locked.text_version:
        raise ValueError(
            f"Comment {locked.pk} was edited by its author after you loaded the page; "
            "read it again before deciding."
        )
    reports = OpenReports(locked)
    refusal = locked.decision_refusal(decision, open_reports=reports.count)
    if refusal:
        raise ValueError(refusal)
    return locked, reports


class OpenReports:
    """A locked comment's open reports: how many, and when the oldest was made."""

    def __init__(self, comment: Comment):
        self.queryset = comment.reports.open()
        stats = self.queryset.aggregate(n=Count("pk"), first=Min("created_at"))
        self.count, self.first_at = stats["n"], stats["first"]

    def resolve(self, now):
        """Close them; returns when the oldest was made (None if there were none)."""
        if self.count:
            self.queryset.update(resolved_at=now)
        return self.first_at


def _record(kind, moderator, comment, *, reason="", note="", first_report_at=None, now=None):
    # The score goes with the decision: a moderator's label for recalibrating the pre-screen.
    return ModerationAction.objects.create(
        kind=kind, moderator=moderator, comment=comment, subject=comment.author,
        reason=reason, note=note, first_report_at=first_report_at, created_at=now or timezone.now(),
        abuse_score=comment.abuse_score,
    )  # fmt: skip


def _publish(kind, comment: Comment, moderator: User, *, note: str, first_report_at, now):
    """Make the comment visible as approved now, and record the decision."""
    comment.make_visible(approved_at=now)
    _record(kind, moderator, comment, note=note, first_report_at=first_report_at, now=now)
    refresh_article_stats([comment.article_id])
    return comment


@transaction.atomic
def approve(
    *, comment: Comment, moderator: User, note: str = "", seen_text: str | None = None
) -> Comment:
    """Make the comment visible and resolve its reports; later reports won't hold it again.

    With `seen_text`, refuses (ValueError) when the text changed since the moderator read it.
    """
    comment, reports = _locked(comment, Decision.APPROVE, seen_text=seen_text)
    was_held = comment.is_pending
    now = timezone.now()
    first = reports.resolve(now)
    _publish(Kind.APPROVE, comment, moderator, note=note, first_report_at=first, now=now)
    if was_held:
        notifications.comment_approved(comment=comment)
    notifications.reply_posted(reply=comment)  # told once, whenever it first became visible
    return comment


@transaction.atomic
def hide(*, comment: Comment, moderator: User, reason: str, note: str = "") -> Comment:
    if reason not in Comment.HideReason.values:
        raise ValueError(f"Unknown hide reason: {reason!r}")
    comment, reports = _locked(comment, Decision.HIDE)
    now = timezone.now()
    comment.make_hidden(reason=reason, note=note)
    first = reports.resolve(now)
    _record(Kind.HIDE, moderator, comment, reason=reason, note=note, first_report_at=first, now=now)
    refresh_article_stats([comment.article_id])
    notifications.comment_hidden(comment=comment)
    return comment


@transaction.atomic
def restore(*, comment: Comment, moderator: User, note: str = "") -> Comment:
    """Undo a hide: the comment is visible again, and counts as approved."""
    comment, _ = _locked(comment, Decision.RESTORE)
    _publish(Kind.RESTORE, comment, moderator, note=note, first_report_at=None, now=timezone.now())
    notifications.reply_posted(reply=comment)
    return comment


@transaction.atomic
def dismiss_reports(
    *, comment: Comment, moderator: User, note: str = "", seen_text: str | None = None
) -> Comment:
    """The reports were unfounded: close them. A comment they held is visible again;
    any other comment stays as it is. `seen_text` as for approve()."""
    comment, reports = _locked(comment, Decision.DISMISS, seen_text=seen_text)
    now = timezone.now()
    released = held_by_reports(comment)
    first = reports.resolve(now)
    if released:
        comment.make_visible()
    reason = RELEASED if released else ""
    _record(
        Kind.DISMISS, moderator, comment, reason=reason, note=note, first_report_at=first, now=now
    )
    if released:
        refresh_article_stats([comment.article_id])
    return comment


def ban_refusal(*, user: User, moderator: User) -> str | None:
    """Why this moderator may not ban this user, if they may not."""
    if user.pk == moderator.pk:
        return "You can't ban yourself."
    if user.is_superuser or user.is_staff:
        return f"{user.get_username()} is a member of staff; staff accounts can't be banned."
    return None


@transaction.atomic
def ban(
    *, user: User, moderator: User, reason: str, days: int | None, hide_comments: bool = False
) -> Ban:
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


def _hide_all(user: User, moderator: User, now, *, note: str) -> None:
    comments = list(Comment.objects.select_for_update().by(user).visible())
    for comment in comments:
        comment.make_hidden(reason=Comment.HideReason.OTHER, note=note, save=False)
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
            abuse_score=c.abuse_score,
        )  # fmt: skip
        for c in comments
    )
    refresh_article_stats({c.article_id for c in comments})


def _forget_ban(user_id) -> None:
    freshness.changed([freshness.reader(user_id)])


@transaction.atomic
def lift_ban(*, ban: Ban, moderator: User, note: str = "") -> Ban:
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
def set_premoderation(*, user: User, moderator: User, on: bool, note: str = "") -> None:
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
