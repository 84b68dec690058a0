"""Readers recommending comments: one recommendation per reader per comment."""

from django.db import transaction

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
