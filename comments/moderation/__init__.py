"""Comment workflows: every change to comments goes through these functions.

Views, admin actions, management commands and tests all call them, so the
rules (flood control, automatic holds, exact counts, cache invalidation, the
audit log) live in one place:

- posting.py: post, edit, delete and purge comments; counts and cache versions
- rules.py: the automatic rules applied to new comments, bans and flood control
- reports.py: readers' reports and the automatic hold they can trigger
- decisions.py: moderators' decisions on comments and readers
- recommendations.py: readers recommending comments
- featuring.py: editors and moderators featuring comments above the thread
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
from .featuring import feature, unfeature
from .posting import (
    author_changed,
    delete_comment,
    edit_comment,
    post_comment,
    purge_comments,
    refresh_article_stats,
    score_unscored,
)
from .recommendations import recommend, refuse_if_cannot_recommend, withdraw_recommendations
from .reports import report_comment
from .rules import (
    CommentRefused,
    active_ban,
    banned_message,
    refuse_if_banned,
    refuse_if_cannot_report,
)

__all__ = [
    "refuse_if_cannot_recommend",
    "recommend",
    "withdraw_recommendations",
    "unfeature",
    "feature",
    "CommentRefused",
    "active_ban",
    "approve",
    "author_changed",
    "ban",
    "banned_message",
    "delete_comment",
    "dismiss_reports",
    "edit_comment",
    "hide",
    "lift_ban",
    "post_comment",
    "purge_comments",
    "refresh_article_stats",
    "refuse_if_banned",
    "refuse_if_cannot_report",
    "report_comment",
    "restore",
    "score_unscored",
    "set_premoderation",
]
