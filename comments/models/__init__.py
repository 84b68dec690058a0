from .comment import Comment, CommentQuerySet, Decision, Report
from .moderation import (
    Ban,
    BlockedTerm,
    Commenter,
    ModerationAction,
    ModerationPolicy,
    PremoderatedReader,
    ReaderNote,
    ReviewClaim,
)

__all__ = [
    "Ban",
    "BlockedTerm",
    "Comment",
    "CommentQuerySet",
    "Decision",
    "Commenter",
    "ModerationAction",
    "ModerationPolicy",
    "PremoderatedReader",
    "ReaderNote",
    "Report",
    "ReviewClaim",
]
