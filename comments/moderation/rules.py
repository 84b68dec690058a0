"""Automatic rules applied to every new or edited comment.

The blocked terms and the policy are read on every post from the cache, under
a version that saving or deleting them replaces (freshness.RULES), so moderators'
changes in the admin take effect at once, on every app server.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from newsroom import freshness, ratelimit

from .. import text
from ..models import Ban, BlockedTerm, Comment, ModerationPolicy, PremoderatedReader


class CommentRefused(ValidationError):
    """A rule refuses the comment outright; the reader sees the message as a form error."""

    def __init__(self, message, *, rule):
        super().__init__(message)
        self.rule = rule


@dataclass
class Hold:
    rule: str


def active_ban(user) -> Ban | None:
    """The reader's current ban, if any. Cached: every page a reader views asks, and
    bans change rarely (ban() and lift_ban() replace the reader's version; expiry is
    checked here)."""
    if not user.is_authenticated:
        return None
    if hasattr(user, "active_ban_id") and user.active_ban_id is None:
        return None  # the request's reader, loaded with their ban status (accounts.backends)
    ban = freshness.cached(
        f"comments:ban:{user.pk}",
        [freshness.reader(user.pk)],
        lambda: Ban.objects.active().filter(user=user).order_by("-expires_at").first(),
        timeout=3600,
        local=True,  # read on every page the reader views
    )
    return ban if ban is not None and ban.is_active else None


def banned_message(ban: Ban) -> str:
    if ban.expires_at is None:
        return "Your account has been permanently barred from commenting and reporting."
    until = timezone.localtime(ban.expires_at).strftime("%-d %B %Y, %H:%M")
    return f"Your account is barred from commenting and reporting until {until}."


def refuse_if_banned(user) -> None:
    """Raise CommentRefused when the reader is barred from commenting and reporting."""
    ban = active_ban(user)
    if ban is not None:
        raise CommentRefused(banned_message(ban), rule="banned")


def refuse_if_cannot_report(*, reporter, comment: Comment) -> None:
    """Raise CommentRefused when this reader may not report this comment."""
    if comment.author_id == reporter.pk:
        raise CommentRefused("You can't report your own comment.", rule="own comment")
    refuse_if_banned(reporter)


def limit_flood(action: str, user_id: int) -> None:
    """Count one write (a post, an edit, a report); raise ratelimit.RateLimited past the
    flood limit, which every kind of write shares in size but counts on its own."""
    ratelimit.hit(
        action,
        user_id,
        limit=settings.COMMENTS_RATE_LIMIT,
        period=settings.COMMENTS_RATE_PERIOD,
    )


def _matches(phrase: str, body: str) -> bool:
    words = [re.escape(word) for word in phrase.split()]
    pattern = r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)"
    return re.search(pattern, body, flags=re.IGNORECASE) is not None


def _terms_and_policy() -> tuple[list[BlockedTerm], ModerationPolicy]:
    return freshness.cached(
        "comments:rules",
        [freshness.RULES],
        lambda: (list(BlockedTerm.objects.all()), ModerationPolicy.current()),
        timeout=3600,
    )


def abuse_hold(score: float | None, policy: ModerationPolicy) -> Hold | None:
    """The pre-screen's hold, when the policy has it on and the score reaches the threshold."""
    if not policy.hold_abusive or score is None or score < policy.abuse_threshold:
        return None
    return Hold(f"abuse score {score:.2f} ≥ {policy.abuse_threshold:.2f}")


def evaluate(*, author, article, body: str, abuse_score: float | None = None) -> list[Hold]:
    """Return the holds that apply to a new comment; raise CommentRefused to refuse it.
    `abuse_score` is the pre-screen's score of `body` (prescreen.score)."""
    holds = []
    if not author.email_confirmed and not author.is_staff:
        if settings.ACCOUNT_UNCONFIRMED_COMMENTS == "refuse":
            raise CommentRefused(
                "Please confirm your e-mail address before commenting: follow the link we "
                "sent you, or ask for a new one on your settings page.",
                rule="e-mail not confirmed",
            )
        holds.append(Hold("e-mail not confirmed"))
    terms, policy = _terms_and_policy()
    for term in terms:
        if _matches(term.phrase, body):
            if term.action == BlockedTerm.Action.REFUSE:
                raise CommentRefused(
                    "Your comment contains language we don't publish. Please rephrase it.",
                    rule=f"blocked term: {term.phrase}",
                )
            holds.append(Hold(f"blocked term: {term.phrase}"))

    abusive = abuse_hold(abuse_score, policy)
    if abusive is not None:
        holds.append(abusive)
    links = text.count_links(body)
    if links > policy.max_links:
        holds.append(Hold(f"more than {policy.max_links} links ({links})"))
    if policy.min_account_age_hours:
        age = timezone.now() - author.date_joined
        if age.total_seconds() < policy.min_account_age_hours * 3600:
            holds.append(Hold(f"account younger than {policy.min_account_age_hours} hours"))
    if policy.hold_until_first_approval and not Comment.objects.by(author).approved().exists():
        holds.append(Hold("no approved comment yet"))
    if article.premoderate_comments:
        holds.append(Hold("article is pre-moderated"))
    if PremoderatedReader.objects.filter(user=author).exists():
        holds.append(Hold("reader is pre-moderated"))
    return holds
