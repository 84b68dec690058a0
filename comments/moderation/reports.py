"""Readers' reports, and the automatic hold once enough distinct readers report."""

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.models import User

from ..models import Comment, ModerationAction, Report
from . import rules
from .posting import refresh_article_stats

# The rule an automatic hold by readers' reports is recorded under.
REPORTS_RULE = "reported by"


@transaction.atomic
def report_comment(
    *, reporter: User, comment: Comment, reason: str, note: str = ""
) -> tuple[Report, bool]:
    """Record a report; returns (report, created). A second report by the same reader
    changes nothing. Raises rules.CommentRefused for one's own comment or a banned
    reader, and ratelimit.RateLimited past the flood limit."""
    rules.refuse_if_cannot_report(reporter=reporter, comment=comment)
    existing = Report.objects.filter(comment=comment, reporter=reporter).first()
    if existing is not None:
        return existing, False
    rules.limit_flood("report", reporter.pk)
    # Lock the comment so concurrent reports and decisions see one another.
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    try:
        with transaction.atomic():
            report = Report.objects.create(
                comment=comment, reporter=reporter, reason=reason, note=note
            )
    except IntegrityError:  # the same reader, twice at once
        return Report.objects.get(comment=comment, reporter=reporter), False
    if comment.is_pending:
        # Already held: the report still counts in the queue, and the audit shows it.
        ModerationAction.objects.create(
            kind=ModerationAction.Kind.REPORT, comment=comment, subject=comment.author,
            reason=reason, note=note[:500],
        )  # fmt: skip
    else:
        _hold_if_reported_enough(comment)
    return report, True


def _hold_if_reported_enough(comment: Comment) -> None:
    threshold = settings.COMMENTS_REPORTS_TO_HOLD
    if not comment.is_visible or comment.approved_as_written:
        return  # a moderator's approval stands: reports are recorded but hold nothing
    # Only open reports: the ones a moderator dismissed were judged unfounded.
    reporters = comment.reports.open().values("reporter").distinct().count()
    if reporters < threshold:
        return
    comment.hold()
    ModerationAction.objects.create(
        kind=ModerationAction.Kind.HOLD,
        rule=f"{REPORTS_RULE} {reporters} readers",
        comment=comment,
        subject=comment.author,
    )
    refresh_article_stats([comment.article_id])


def held_by_reports(comment: Comment) -> bool:
    """Whether the comment waits for a moderator because readers reported it
    (its latest hold was by reports), rather than because of a posting rule."""
    if not comment.is_pending:
        return False
    hold = (
        ModerationAction.objects.filter(comment=comment, kind=ModerationAction.Kind.HOLD)
        .order_by("-created_at", "-pk")
        .first()
    )
    return hold is not None and hold.rule.startswith(REPORTS_RULE)
