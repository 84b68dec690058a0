"""Comment workflows: every change to comments goes through these functions.

Views, admin actions, management commands and tests all call them, so the
rules (flood control, automatic holds, exact counts, cache invalidation, the
audit log) live in one place:

- posting.py: post, edit and delete a comment; counts and cache versions
- rules.py: the automatic rules applied to new comments
- reports.py: readers' reports and the automatic hold they can trigger
- decisions.py: moderators' decisions on comments and readers
"""

from .decisions import (
    approve,
    ban,
    dismiss_reports,
    hide,
    lift_ban,
    restore,
    set_premoderation,
)
from .posting import (
    banned_message,
    delete_comment,
    edit_comment,
    invalidate_author,
    post_comment,
    refresh_article_stats,
)
from .reports import report_comment
from .rules import CommentRefused, active_ban

__all__ = [
    "CommentRefused",
    "active_ban",
    "approve",
    "ban",
    "banned_message",
    "delete_comment",
    "dismiss_reports",
    "edit_comment",
    "hide",
    "invalidate_author",
    "lift_ban",
    "post_comment",
    "refresh_article_stats",
    "report_comment",
    "restore",
    "set_premoderation",
]
