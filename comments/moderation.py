"""Comment workflows: every change to comments goes through these functions.

Views, admin actions, management commands and tests all call them, so the
rules (flood control, automatic holds, exact counts, cache invalidation) live
in one place.
"""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from articles.models import Article

from . import throttle
from .models import Comment


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
    Article.objects.filter(pk__in=set(article_ids)).update(
        comment_count=Coalesce(Subquery(visible_count), Value(0)),
        comments_version=F("comments_version") + 1,
    )


def invalidate_author(user) -> None:
    """The author's name or avatar changed: every thread showing them must re-render."""
    article_ids = Comment.objects.filter(author=user).values_list("article_id", flat=True)
    refresh_article_stats(article_ids.distinct())


@transaction.atomic
def post_comment(*, author, article: Article, body: str, parent: Comment | None = None) -> Comment:
    """Store a reader's comment (already validated by CommentForm)."""
    throttle.check("comment", author.pk)
    comment = Comment(article=article, author=author, body=body)
    if parent is not None:
        comment.place_under(parent)
    comment.save()
    refresh_article_stats([article.pk])
    return comment


@transaction.atomic
def edit_comment(*, comment: Comment, body: str) -> Comment:
    comment.body = body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    refresh_article_stats([comment.article_id])
    return comment


@transaction.atomic
def delete_comment(*, comment: Comment) -> None:
    """An author deletes their comment. Its row stays so replies keep their place."""
    comment.status = Comment.Status.DELETED
    comment.save(update_fields=["status"])
    refresh_article_stats([comment.article_id])
