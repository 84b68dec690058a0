"""A reader's data, as the JSON file they download from their settings page
(GDPR articles 15 and 20).

The file is a dictionary of named sections, each made by one function of the
reader; a kind of data another app keeps about readers is added as one more
entry in SECTIONS.
"""

from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, Recommendation, Report
from notifications.models import MutedThread, Preferences

from .models import User


def _when(moment) -> str | None:
    return moment.isoformat() if moment else None


def _url(path: str) -> str:
    return settings.SITE_URL + path


def profile(user: User) -> dict:
    return {
        "username": user.username,
        "email": user.email,
        "email_confirmed_at": _when(user.email_confirmed_at),
        "email_waiting_for_confirmation": user.pending_email or None,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "avatar": _url(user.avatar_url) if user.avatar_url else None,
        "profile_page": _url(user.get_absolute_url()),
        "signed_up_at": _when(user.date_joined),
        "last_login_at": _when(user.last_login),
        "terms_version_accepted": user.terms_version or None,
        "terms_accepted_at": _when(user.terms_accepted_at),
    }


COMMENT_FIELDS = ["article", "parent", "status", "body", "created_at", "edited_at"]


def comments(user: User) -> list[dict]:
    rows = (
        Comment.objects.by(user)
        .select_related("article")
        .only(*COMMENT_FIELDS, "article__title", "article__slug")
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": comment.pk,
            "article": comment.article.title,
            "article_url": _url(comment.article.get_absolute_url()),
            "in_reply_to": comment.parent_id,
            "status": comment.get_status_display(),
            "text": comment.body,
            "written_at": _when(comment.created_at),
            "edited_at": _when(comment.edited_at),
        }
        for comment in rows
    ]


REPORT_FIELDS = ["comment", "reason", "note", "created_at", "resolved_at"]


def reports(user: User) -> list[dict]:
    rows = (
        Report.objects.filter(reporter=user)
        .select_related("comment__article")
        .only(*REPORT_FIELDS, "comment__article__title")
        .order_by("created_at", "pk")
    )
    return [
        {
            "comment": report.comment_id,
            "article": report.comment.article.title,
            "reason": report.get_reason_display(),
            "note": report.note,
            "made_at": _when(report.created_at),
            "resolved_at": _when(report.resolved_at),
        }
        for report in rows
    ]


def recommendations(user: User) -> list[dict]:
    rows = (
        Recommendation.objects.filter(reader=user)
        .select_related("comment__article")
        .only("comment", "created_at", "comment__article__title", "comment__article__slug")
        .order_by("created_at", "pk")
    )
    return [
        {
            "comment": recommendation.comment_id,
            "article": recommendation.comment.article.title,
            "comment_url": _url(recommendation.comment.get_absolute_url()),
            "made_at": _when(recommendation.created_at),
        }
        for recommendation in rows
    ]


def notification_settings(user: User) -> dict:
    preferences = Preferences.of(user)
    muted = MutedThread.objects.filter(user=user).order_by("created_at", "pk")
    return {
        "reply_emails": preferences.get_reply_email_display(),
        "moderation_emails": preferences.moderation_email,
        "muted_conversations": [
            _url(reverse("comments:permalink", kwargs={"pk": thread_id}))
            for thread_id in muted.values_list("thread_id", flat=True)
        ],
    }


SECTIONS: dict[str, Callable[[User], object]] = {
    "profile": profile,
    "comments": comments,
    "reports": reports,
    "recommendations": recommendations,
    "notification_settings": notification_settings,
}


def export(*, user: User) -> dict:
    """Everything the site keeps about `user` that is theirs, section by section."""
    return {
        "site": settings.SITE_NAME,
        "exported_at": timezone.now().isoformat(),
        **{name: build(user) for name, build in SECTIONS.items()},
    }
