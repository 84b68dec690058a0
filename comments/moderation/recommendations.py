"""Readers recommending comments: one recommendation per reader per comment."""

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from articles import page_cache

from ..models import Comment, Recommendation
from . import rules


def refuse_if_cannot_recommend(*, reader: User, comment: Comment) -> None:
    """Raise rules.CommentRefused when this reader may not recommend this comment."""
    if comment.author_id == reader.pk:
        raise rules.CommentRefused("You can't recommend your own comment.", rule="own comment")
    rules.refuse_if_banned(reader)


def recommend(*, reader: User, comment: Comment, on: bool = True) -> Comment:
    """Recommend the comment (`on`) or take the recommendation back; returns the comment
    with its exact `recommendation_count`. Doing it twice changes nothing.

    Raises rules.CommentRefused for one's own comment, a banned reader or a comment
    readers cannot see, and ratelimit.RateLimited past the flood limit (counted before
    the transaction, so a refused attempt still counts).
    """
    refuse_if_cannot_recommend(reader=reader, comment=comment)
    rules.limit_flood("recommend", reader.pk)
    with transaction.atomic():
        # Locked, so concurrent recommendations of one comment count one another.
        locked = (
            Comment.objects.select_for_update(of=("self",))
            .select_related("article")
            .get(pk=comment.pk)
        )
        if not locked.is_visible:
            raise rules.CommentRefused(
                "This comment is not available any more.", rule="not visible"
            )
        mine = Recommendation.objects.filter(comment=locked, reader=reader)
        if on:
            Recommendation.objects.bulk_create(
                [Recommendation(comment=locked, reader=reader)], ignore_conflicts=True
            )
        else:
            mine.delete()
        count = locked.recommendations.count()  # a recount: exact whatever came before
        if count != locked.recommendation_count:
            locked.recommendation_count = count
            # Moves updated_at too: only this comment's fragment (and its thread) is rebuilt.
            locked.save(update_fields=["recommendation_count"])
            page_cache.conversations_changed([locked.article.slug])
    return locked


def withdraw_recommendations(*, reader: User) -> None:
    """Take back every recommendation `reader` made (their account is going), keeping
    the counts of the comments they recommended exact."""
    mine = Recommendation.objects.filter(reader=reader)
    comment_ids = list(mine.values_list("comment_id", flat=True))
    if not comment_ids:
        return
    mine.delete()
    recommended = Comment.objects.filter(pk__in=comment_ids)
    recounted = Recommendation.objects.filter(comment=OuterRef("pk")).values("comment")
    recommended.update(
        recommendation_count=Coalesce(Subquery(recounted.annotate(n=Count("pk")).values("n")), 0),
        # updated_at is part of each fragment's key: only these comments are re-rendered.
        updated_at=timezone.now(),
    )
    page_cache.conversations_changed(set(recommended.values_list("article__slug", flat=True)))
