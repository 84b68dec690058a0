from .comment import Comment, CommentQuerySet, Decision, Report
from .engagement import ArticleVisit, Recommendation
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
    "ArticleVisit",
    "Recommendation",
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
