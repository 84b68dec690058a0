"""Posting, editing and deleting comments, and keeping article counts exact."""

import functools
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from articles import page_cache
from articles.models import Article
from newsroom import compiled
from notifications import workflows as notifications

from ..models import Comment, ModerationAction
from . import prescreen, rules

# The same text under the same comment this soon is a double submit, not a second comment.
DUPLICATE_WINDOW = timedelta(minutes=10)


@transaction.atomic
def refresh_article_stats(article_ids: Iterable[int]) -> None:
    """Recount visible comments of these articles; their pages show the change once
    this transaction commits.

    A recount (not +1/-1) keeps "Comments N" exact whatever sequence of
    moderation decisions led here. The rows are locked first, so the count (a
    later statement) sees every change committed before it.
    """
    articles = Article.objects.filter(pk__in=set(article_ids))
    slugs = list(articles.order_by("pk").select_for_update().values_list("slug", flat=True))
    articles.update(comment_count=Comment.objects.visible_count_of_article())
    page_cache.conversations_changed(slugs)


def _count_change(article: Article, *, was_visible: bool, is_visible: bool) -> None:
    """A comment became visible or stopped being: move the article's count by one.

    An atomic increment, the last statement of its transaction, so concurrent posts
    hold the article's row only while they commit, not while they are checked and
    stored; exact alongside refresh_article_stats, which locks before it recounts.
    """
    if was_visible != is_visible:
        step = 1 if is_visible else -1
        Article.objects.filter(pk=article.pk).update(comment_count=F("comment_count") + step)
    page_cache.conversations_changed([article.slug])


def author_changed(*, author: User) -> None:
    """The author's name, avatar or staff flag changed: every page showing them (their
    comments, their byline) shows the change once this transaction commits."""
    shown_on = Article.objects.filter(
        Q(pk__in=Comment.objects.by(author).values("article_id")) | Q(authors=author)
    )
    page_cache.articles_changed(set(shown_on.values_list("slug", flat=True)))


def post_comment(
    *, author: User, article: Article, body: str, parent: Comment | None = None
) -> Comment:
    """Store a reader's comment (already validated by CommentForm), applying the rules.

    Raises ratelimit.RateLimited past the flood limit, and rules.CommentRefused
    when the reader is banned or a blocked term refuses the text; nothing is stored then.
    The same text posted again at once (a double click, a resent form) gives back the
    comment already stored.
    """
    rules.limit_flood("comment", author.pk)
    holds, score = _check(author=author, article=article, body=body)
    with transaction.atomic():
        # One author's posts are stored one at a time, so a double submit is seen as one.
        get_user_model().objects.select_for_update().values_list("pk").get(pk=author.pk)
        duplicate = _recent_duplicate(author=author, article=article, body=body, parent=parent)
        if duplicate is not None:
            return duplicate
        comment = Comment(article=article, author=author, body=body, abuse_score=score)
        if parent is not None:
            comment.place_under(parent)
        if holds:
            comment.status = Comment.Status.PENDING
        comment.save()
        _record_holds(comment, holds)
        notifications.reply_posted(reply=comment)  # a held reply: when it is approved
        _count_change(article, was_visible=False, is_visible=comment.is_visible)
    return comment


def score_unscored(*, batch: int = 500) -> int:
    """Give the pre-screen's score to comments stored without one (before it existed);
    returns how many were scored. Their status is left alone: a score holds only new
    and edited text."""
    scored = 0
    while True:
        comments = list(Comment.objects.filter(abuse_score__isnull=True).only("pk", "body")[:batch])
        if not comments:
            return scored
        for comment, score in zip(
            comments, prescreen.scores([c.body for c in comments]), strict=True
        ):
            comment.abuse_score = score
        # bulk_update leaves updated_at alone: the score changes nothing readers see.
        Comment.objects.bulk_update(comments, ["abuse_score"])
        scored += len(comments)


def _recent_duplicate(*, author: User, article: Article, body: str, parent) -> Comment | None:
    sql, params = _duplicate_sql(is_reply=parent is not None)
    values = {
        _AUTHOR: author.pk,
        _ARTICLE: article.pk,
        _PARENT: parent.pk if parent is not None else None,
        _BODY: body,
        _SINCE: timezone.now() - DUPLICATE_WINDOW,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, compiled.bind(params, values))
        row = cursor.fetchone()
    return Comment.objects.get(pk=row[0]) if row else None  # rare: a double submit


# Stand-ins (newsroom.compiled) for what each post fills in.
_AUTHOR, _ARTICLE, _PARENT = -2_000_000_031, -2_000_000_037, -2_000_000_041
_BODY, _SINCE = "\x00body", datetime(1970, 1, 1, tzinfo=UTC)


@functools.cache
def _duplicate_sql(*, is_reply: bool) -> tuple[str, tuple]:
    """The duplicate check's SQL, compiled once per process (newsroom.compiled):
    compiling it took six times longer than running it, on every post."""
    queryset = (
        Comment.objects.by(User(pk=_AUTHOR))  # comment_author_idx
        .live()
        .filter(created_at__gte=_SINCE)
        .filter(article=Article(pk=_ARTICLE), parent=Comment(pk=_PARENT) if is_reply else None)
        .filter(body=_BODY)
        .order_by("pk")
        .values_list("pk")[:1]
    )
    stand_ins = (_AUTHOR, _ARTICLE, _BODY, _SINCE, *((_PARENT,) if is_reply else ()))
    return compiled.sql(queryset, *stand_ins)


def _check(*, author: User, article: Article, body: str) -> tuple[list[rules.Hold], float]:
    """The checks every text a reader publishes goes through, new or edited.

    Returns the holds that apply and the text's abuse score (scored before any row
    is locked: it is the slowest check); raises rules.CommentRefused (recorded in
    the audit log when a rule refuses the text) and stores nothing then.
    """
    rules.refuse_if_banned(author)
    score = prescreen.score(body)
    try:
        holds = rules.evaluate(author=author, article=article, body=body, abuse_score=score)
        return holds, score
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


def edit_comment(*, comment: Comment, body: str) -> Comment:
    """The author rewrites their comment (already validated by EditCommentForm).

    The new text is checked like a new comment: raises ratelimit.RateLimited past
    the flood limit, rules.CommentRefused (nothing stored) when the author is banned,
    the comment can no longer be edited or a blocked term refuses the text; a hold
    rule sends the comment back to the moderators.
    """
    # Each edit re-renders the conversation for everyone: limited like posting.
    rules.limit_flood("comment-edit", comment.author_id)
    holds, score = _check(author=comment.author, article=comment.article, body=body)
    with transaction.atomic():
        comment = (
            Comment.objects.select_for_update(of=("self",))
            .select_related("author", "article")
            .get(pk=comment.pk)
        )
        if not comment.can_edit(comment.author):  # hidden or deleted since the form was shown
            raise rules.CommentRefused("This comment can no longer be edited.", rule="state")
        was_visible = comment.is_visible
        comment.body, comment.abuse_score = body, score
        comment.edited_at = timezone.now()
        if holds and comment.is_visible:
            comment.status = Comment.Status.PENDING
        comment.save(update_fields=["body", "abuse_score", "edited_at", "status"])
        _record_holds(comment, holds)
        _count_change(comment.article, was_visible=was_visible, is_visible=comment.is_visible)
    return comment


@transaction.atomic
def delete_comment(*, comment: Comment) -> None:
    """An author deletes their comment. Its row stays so replies keep their place."""
    comment.mark_deleted()
    refresh_article_stats([comment.article_id])


@transaction.atomic
def purge_comments(*, comments) -> int:
    """Delete comment rows outright (from the shell or a data-protection request; readers
    and moderators never do), keeping their articles' counts exact.
    Replies outside `comments` keep their parent (RestrictedError). Returns how many
    rows were deleted."""
    comments = Comment.objects.filter(pk__in=comments.values("pk"))
    article_ids = set(comments.values_list("article_id", flat=True))
    deleted = comments.delete()[1].get(Comment._meta.label, 0)
    refresh_article_stats(article_ids)
    return deleted
