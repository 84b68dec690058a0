from .comment import Comment, CommentQuerySet
from .moderation import (
    Ban,
    BlockedTerm,
    Commenter,
    ModerationAction,
    ModerationPolicy,
    PremoderatedReader,
    ReaderNote,
    Report,
)

__all__ = [
    "Ban",
    "BlockedTerm",
    "Comment",
    "CommentQuerySet",
    "Commenter",
    "ModerationAction",
    "ModerationPolicy",
    "PremoderatedReader",
    "ReaderNote",
    "Report",
]
