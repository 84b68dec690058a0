"""Posting, editing and deleting comments, and keeping article counts exact."""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from articles import page_cache
from articles.models import Article
from newsroom import ratelimit

from ..models import Comment, ModerationAction
from . import rules

# The same text under the same comment this soon is a double submit, not a second comment.
DUPLICATE_WINDOW = timedelta(minutes=10)


def refresh_article_stats(article_ids: Iterable[int]) -> None:
    """Recount visible comments and invalidate cached threads of these articles.

    A recount (not +1/-1) keeps "Comments N" exact whatever sequence of
    moderation decisions led here.
    """
    visible_count = (
        Comment.objects.filter(article=OuterRef("pk"), status=Comment.Status.VISIBLE)
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    articles = Article.objects.filter(pk__in=set(article_ids))
    articles.update(
        comment_count=Coalesce(Subquery(visible_count), Value(0)),
        comments_version=F("comments_version") + 1,
    )
    page_cache.forget(articles.values_list("slug", flat=True))


def invalidate_author(user) -> None:
    """The author's name or avatar changed: every thread showing them must re-render."""
    article_ids = Comment.objects.filter(author=user).values_list("article_id", flat=True)
    refresh_article_stats(article_ids.distinct())


def post_comment(*, author, article: Article, body: str, parent: Comment | None = None) -> Comment:
    """Store a reader's comment (already validated by CommentForm), applying the rules.

    Raises ratelimit.RateLimited past the flood limit, and rules.CommentRefused
    when the reader is banned or a blocked term refuses the text; nothing is stored then.
    The same text posted again at once (a double click, a resent form) gives back the
    comment already stored.
    """
    ratelimit.hit(
        "comment",
        author.pk,
        limit=settings.COMMENTS_RATE_LIMIT,
        period=settings.COMMENTS_RATE_PERIOD,
    )
    holds = _check(author=author, article=article, body=body)
    with transaction.atomic():
        # One author's posts are stored one at a time, so a double submit is seen as one.
        get_user_model().objects.select_for_update().values_list("pk").get(pk=author.pk)
        duplicate = _recent_duplicate(author=author, article=article, body=body, parent=parent)
        if duplicate is not None:
            return duplicate
        comment = Comment(article=article, author=author, body=body)
        if parent is not None:
            comment.place_under(parent)
        if holds:
            comment.status = Comment.Status.PENDING
        comment.save()
        _record_holds(comment, holds)
        refresh_article_stats([article.pk])
    return comment


def _recent_duplicate(*, author, article, body, parent) -> Comment | None:
    live = [Comment.Status.VISIBLE, Comment.Status.PENDING, Comment.Status.HIDDEN]
    return (
        Comment.objects.filter(author=author, status__in=live)  # comment_author_idx
        .filter(created_at__gte=timezone.now() - DUPLICATE_WINDOW)
        .filter(article=article, parent=parent, body=body)
        .first()
    )


def _check(*, author, article: Article, body: str) -> list[rules.Hold]:
    """The checks every text a reader publishes goes through, new or edited.

    Returns the holds that apply; raises rules.CommentRefused (recorded in the
    audit log when a rule refuses the text) and stores nothing then.
    """
    ban = rules.active_ban(author)
    if ban is not None:
        raise rules.CommentRefused(banned_message(ban), rule="banned")
    try:
        return rules.evaluate(author=author, article=article, body=body)
    except rules.CommentRefused as refusal:
        ModerationAction.objects.create(
            kind=ModerationAction.Kind.REFUSE, rule=refusal.rule, subject=author,
            note=f"On “{article.title}”: {body[:500]}",
        )  # fmt: skip
        raise


def _record_holds(comment: Comment, holds: list[rules.Hold]) -> None:
    ModerationAction.objects.bulk_create(
        ModerationAction(
            kind=ModerationAction.Kind.HOLD, rule=hold.rule, comment=comment, subject=comment.author
        )
        for hold in holds
    )


def banned_message(ban) -> str:
    if ban.expires_at is None:
        return "Your account has been permanently barred from commenting and reporting."
    until = timezone.localtime(ban.expires_at).strftime("%-d %B %Y, %H:%M")
    return f"Your account is barred from commenting and reporting until {until}."


def edit_comment(*, comment: Comment, body: str) -> Comment:
    """The author rewrites their comment (already validated by EditCommentForm).

    The new text is checked like a new comment: raises ratelimit.RateLimited past
    the flood limit, rules.CommentRefused
    (nothing stored) when the author is banned or a blocked term refuses it, and
    a hold rule sends the comment back to the moderators.
    """
    # Each edit re-renders the conversation for everyone: limited like posting.
    ratelimit.hit(
        "comment-edit",
        comment.author_id,
        limit=settings.COMMENTS_RATE_LIMIT,
        period=settings.COMMENTS_RATE_PERIOD,
    )
    holds = _check(author=comment.author, article=comment.article, body=body)
    with transaction.atomic():
        comment = Comment.objects.select_for_update().select_related("author").get(pk=comment.pk)
        if not comment.can_edit(comment.author):  # hidden or deleted since the form was shown
            raise rules.CommentRefused("This comment can no longer be edited.", rule="state")
        comment.body = body
        comment.edited_at = timezone.now()
        if holds and comment.status == Comment.Status.VISIBLE:
            comment.status = Comment.Status.PENDING
        comment.save(update_fields=["body", "edited_at", "status"])
        _record_holds(comment, holds)
        refresh_article_stats([comment.article_id])
    return comment


@transaction.atomic
def delete_comment(*, comment: Comment) -> None:
    """An author deletes their comment. Its row stays so replies keep their place."""
    comment.status = Comment.Status.DELETED
    comment.save(update_fields=["status"])
    refresh_article_stats([comment.article_id])
