"""The audit log (read-only for everyone) and the moderators' dashboard."""

from datetime import timedelta

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html

from ..models import Comment, ModerationAction
from .readonly import ReadOnlyAdmin


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    change_list_template = "admin/comments/moderationaction/change_list.html"
    list_display = [
        "when", "kind", "decided_by", "comment_link", "subject_name", "reason_label", "score",
        "note",
    ]  # fmt: skip
    list_filter = ["kind", ("moderator", admin.RelatedOnlyFieldListFilter), "created_at"]
    search_fields = ["note", "rule", "subject_username", "moderator__username"]
    list_select_related = ["moderator", "subject", "comment"]
    date_hierarchy = "created_at"

    @admin.display(description="When", ordering="created_at")
    def when(self, obj):
        return site_datetime(obj.created_at)

    @admin.display(description="By")
    def decided_by(self, obj):
        if obj.moderator:
            return obj.moderator.display_name
        if obj.rule:
            return format_html("<em>rule: {}</em>", obj.rule)
        return "a reader" if obj.kind == ModerationAction.Kind.REPORT else "—"

    @admin.display(description="Reason")
    def reason_label(self, obj):
        return obj.reason_label

    @admin.display(description="Abuse score", ordering="abuse_score")
    def score(self, obj):
        return "—" if obj.abuse_score is None else f"{obj.abuse_score:.2f}"

    @admin.display(description="Comment")
    def comment_link(self, obj):
        if obj.comment_id is None:
            if obj.comment_number is not None:  # deleted with its article
                return f"#{obj.comment_number} (deleted)"
            return "—"
        return format_html(
            '<a href="{}">#{}</a>',
            reverse("admin:comments_comment_change", args=[obj.comment_id]),
            obj.comment_id,
        )

    @admin.display(description="Reader", ordering="subject_username")
    def subject_name(self, obj):
        if obj.subject_id is None and obj.subject_username:
            return f"{obj.subject_username} (account deleted)"
        return obj.subject.display_name if obj.subject else "—"

    def get_urls(self):
        view = self.admin_site.admin_view(self.dashboard_view)
        return [path("dashboard/", view, name="comments_dashboard"), *super().get_urls()]

    def dashboard_view(self, request):
        if not request.user.has_perm("comments.view_moderationaction"):
            raise PermissionDenied
        today = timezone.localdate()
        start = today - timedelta(days=29)
        since = timezone.make_aware(timezone.datetime.combine(start, timezone.datetime.min.time()))
        decisions = ModerationAction.objects.decisions().since(since)
        rows = {row["day"]: row for row in decisions.per_day()}
        days = []
        for offset in range(30):
            day = start + timedelta(days=offset)
            row = rows.get(day, {})
            median = row.get("median")
            days.append(
                {
                    "day": day,
                    "decisions": row.get("n", 0),
                    "median_minutes": round(median.total_seconds() / 60) if median else None,
                }
            )
        median = decisions.median_response()
        queue = Comment.objects.queue_sizes()
        context = {
            **self.admin_site.each_context(request),
            "title": "Moderation dashboard",
            "queue": queue,
            "days": days,
            "total_decisions": sum(d["decisions"] for d in days),
            "median_minutes": round(median.total_seconds() / 60) if median else None,
            "decisions_chart": bar_chart([(d["day"], d["decisions"]) for d in days]),
            "median_chart": bar_chart(
                [(d["day"], d["median_minutes"] or 0) for d in days], unit=" min"
            ),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/comments/dashboard.html", context)


def site_datetime(value) -> str:
    """A time as the site writes it: "4 December 2026, 23:13", in the site's time zone."""
    return dateformat.format(timezone.localtime(value), "j F Y, H:i")


def bar_chart(points, *, unit="", width=640, height=160):
    """Geometry for a simple server-side SVG bar chart (drawn by the template)."""
    top = max((value for _, value in points), default=0) or 1
    slot = width / max(len(points), 1)
    bars = []
    for index, (day, value) in enumerate(points):
        bar_height = round(value / top * (height - 20), 1)
        bars.append(
            {
                "x": round(index * slot + 2, 1),
                "y": round(height - bar_height, 1),
                "width": round(slot - 4, 1),
                "height": bar_height,
                "label": f"{day:%d %b}: {value}{unit}",
            }
        )
    return {"bars": bars, "width": width, "height": height, "max": top, "unit": unit}
