"""Editors and moderators featuring comments above an article's thread."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from articles import page_cache
from notifications import workflows as notifications

from ..models import Comment, ModerationAction


def _set_featured(comment: Comment, moderator: User, *, on: bool) -> tuple[Comment, bool]:
    """Lock the comment and feature it or not; returns it and whether anything changed."""
    locked = (
        Comment.objects.select_for_update(of=("self",))
        .select_related("article", "author")
        .get(pk=comment.pk)
    )
    if on and not locked.is_visible:
        raise ValueError("Only a visible comment can be featured.")
    if on == (locked.featured_at is not None):
        return locked, False
    now = timezone.now()
    locked.featured_at = now if on else None
    locked.save(update_fields=["featured_at"])
    ModerationAction.objects.create(
        kind=ModerationAction.Kind.FEATURE if on else ModerationAction.Kind.UNFEATURE,
        moderator=moderator, comment=locked, subject=locked.author, created_at=now,
    )  # fmt: skip
    page_cache.conversations_changed([locked.article.slug])
    return locked, True


@transaction.atomic
def feature(*, comment: Comment, moderator: User) -> Comment:
    """Show the comment in its article's Featured block, and record who chose it.

    `moderator` is the editor or moderator who chose it (the audit log's word). Raises
    ValueError for a comment readers cannot see; featuring a featured comment changes
    nothing. The author is told (notifications), by e-mail if they want moderators'
    decisions e-mailed. The caller checks the `comments.feature_comment` permission.
    """
    comment, changed = _set_featured(comment, moderator, on=True)
    if changed:  # featured, unfeatured and featured again: told each time it is chosen
        notifications.comment_featured(comment=comment)
    return comment


@transaction.atomic
def unfeature(*, comment: Comment, moderator: User) -> Comment:
    """Take the comment out of the Featured block (recorded in the audit log). Raises
    ValueError for a comment that is not featured, as other decisions do when they don't
    apply, so that bulk actions count only what they changed."""
    comment, changed = _set_featured(comment, moderator, on=False)
    if not changed:
        raise ValueError("This comment is not featured.")
    return comment
