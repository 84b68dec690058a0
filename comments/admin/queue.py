"""The moderation queue: comments with their reports, context and one-click decisions."""

from collections import Counter

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat, Now, NullIf, Trim
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.timesince import timesince
from django.views.decorators.http import require_POST

from .. import moderation
from ..models import Ban, Comment, Decision, ReaderNote, Report, ReviewClaim
from ..models.comment import count_of
from ..moderation import prescreen
from ..moderation.decisions import decide_many
from .forms import BanForm, HideForm
from .readonly import ReadOnlyAdmin


class QueueFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("reported", "Reported"), ("pending", "Pending"), ("hidden", "Hidden")]

    def queryset(self, request, queryset):
        return self.of(queryset, self.value())

    @staticmethod
    def of(queryset, queue):
        """The comments of `queue` (a tab's name) among `queryset`."""
        match queue:
            case "reported":
                return queryset.reported()
            case "pending":
                return queryset.pending()
            case "hidden":
                return queryset.hidden()
        return queryset


class AuthorFilter(admin.SimpleListFilter):
    """One reader's comments. Offers the most reported readers; any reader can be
    reached from the "all their comments" link in a row."""

    title = "author"
    parameter_name = "author"

    def lookups(self, request, model_admin):
        most_reported = (
            Report.objects.open()
            .values("comment__author", "comment__author__username")
            .annotate(n=Count("pk"))
            .order_by("-n")[:10]
        )
        return [(str(r["comment__author"]), r["comment__author__username"]) for r in most_reported]

    def has_output(self):
        return True  # applied even when no reader is being reported right now

    def queryset(self, request, queryset):
        try:
            author_id = int(self.value())
        except (TypeError, ValueError):
            return queryset  # no filter, or nonsense in the URL: show everyone
        # Out of bigint range cannot be anyone, and must not reach the database.
        return queryset.filter(author_id=author_id) if 0 < author_id < 2**63 else queryset.none()


class ReportReasonFilter(admin.SimpleListFilter):
    title = "report reason"
    parameter_name = "reason"

    def lookups(self, request, model_admin):
        return Report.Reason.choices

    def queryset(self, request, queryset):
        if self.value() in Report.Reason.values:
            reported = Report.objects.filter(comment=OuterRef("pk"), reason=self.value())
            return queryset.filter(Exists(reported))
        return queryset


class ArticleFilter(admin.SimpleListFilter):
    """Only the articles with comments in the queue being looked at, busiest first."""

    title = "article"
    parameter_name = "article"
    OFFERED = 30

    def lookups(self, request, model_admin):
        in_view = QueueFilter.of(Comment.objects.all(), request.GET.get("queue"))
        busiest = (
            in_view.values("article", "article__title")
            .annotate(n=Count("pk"))
            .order_by("-n", "article__title")[: self.OFFERED]
        )
        return [(str(row["article"]), f"{row['article__title']} ({row['n']})") for row in busiest]

    def queryset(self, request, queryset):
        try:
            article_id = int(self.value())
        except (TypeError, ValueError):
            return queryset
        return queryset.filter(article_id=article_id) if 0 < article_id < 2**63 else queryset.none()


class QueueChangeList(ChangeList):
    """The queue's order (CommentAdmin.queue_ordering, which depends on the tab) and
    its sort arrows, where Django's own take the model's Meta.ordering."""

    def __init__(self, request, *args, **kwargs):
        self.ordering_request = request
        super().__init__(request, *args, **kwargs)

    def _get_default_ordering(self):
        return self.model_admin.queue_ordering(self.ordering_request)


# What the queue says after a hide, as a person would put it.
HIDDEN_AS = {
    Comment.HideReason.SPAM: "Hidden as spam",
    Comment.HideReason.ABUSE: "Hidden as harassment or abuse",
    Comment.HideReason.OFF_TOPIC: "Hidden as off-topic",
    Comment.HideReason.PERSONAL_INFORMATION: "Hidden for sharing personal information",
    Comment.HideReason.OTHER: "Hidden for breaking the community guidelines",
}


def _person(prefix: str = ""):
    """A user's name as the site shows it (User.display_name), in SQL: their full
    name, or their username when they gave none."""
    full = Trim(Concat(F(f"{prefix}first_name"), Value(" "), F(f"{prefix}last_name")))
    return Coalesce(NullIf(full, Value("")), F(f"{prefix}username"))


@admin.register(Comment)
class CommentAdmin(ReadOnlyAdmin):
    change_list_template = "admin/comments/comment/change_list.html"
    change_form_template = "admin/comments/comment/change_form.html"
    # The decision buttons sit next to the text they decide on, never off-screen.
    list_display = [
        "excerpt", "decide", "score", "report_summary", "author_history", "article_link", "age",
    ]  # fmt: skip
    list_filter = [QueueFilter, AuthorFilter, ReportReasonFilter, "status", ArticleFilter]
    list_select_related = ["author", "article"]
    search_fields = ["body", "author__username", "author__first_name", "author__last_name"]
    date_hierarchy = "created_at"
    list_per_page = 50
    actions = [
        "approve_selected",
        "hide_selected",
        "restore_selected",
        "dismiss_selected",
        "ban_authors",
        "feature_selected",
        "unfeature_selected",
    ]
    fields = [
        "article", "author", "status", "hidden_reason", "hidden_note", "created_at", "edited_at",
        "approved_at", "featured_at", "recommendation_count", "body", "thread_context", "history",
    ]  # fmt: skip
    readonly_fields = fields

    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")

    def has_feature_permission(self, request):
        return request.user.has_perm("comments.feature_comment")

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    def has_ban_permission(self, request):
        return request.user.has_perm("comments.ban_commenter")

    def get_queryset(self, request):
        author_comments = Comment.objects.by(OuterRef("author"))
        author_ban = Ban.objects.active().filter(user=OuterRef("author")).order_by("-expires_at")
        # Someone else has this comment open: a soft claim, shown on the row.
        claim = (
            ReviewClaim.objects.current()
            .filter(comment=OuterRef("pk"))
            .exclude(moderator=request.user)
            .order_by("-claimed_at")
            .annotate(name=_person("moderator__"))
        )
        # Built here rather than by super(), which orders before these annotations exist.
        return (
            Comment.objects.with_report_stats()
            .annotate(
                author_approved=count_of(author_comments.approved()),
                author_hidden=count_of(author_comments.hidden()),
                author_reported=count_of(Report.objects.against(OuterRef("author"))),
                author_notes=count_of(ReaderNote.objects.filter(user=OuterRef("author"))),
                author_latest_note=Subquery(
                    ReaderNote.objects.filter(user=OuterRef("author"))
                    .order_by("-created_at")
                    .values("text")[:1]
                ),
                author_ban=Subquery(author_ban.values("pk")[:1]),
                author_ban_expires=Subquery(author_ban.values("expires_at")[:1]),
                claimed_by=Subquery(claim.values("name")[:1]),
                # Sortable: unscored comments (stored before the pre-screen) count as 0.
                screened=Coalesce("abuse_score", Value(0.0)),
                waited=Now() - F("created_at"),
                report_waited=Now() - F("first_open_report"),
            )
            .order_by(*self.queue_ordering(request))
        )

    # Not get_ordering(): Django also orders other admins' choices of comments by that
    # (a muted conversation's form, filters), in querysets without these annotations.
    def queue_ordering(self, request):
        # Each named after the column that shows it, so its sort arrow tells the order.
        if request.GET.get("queue") == "reported":
            return ["-open_reports", "-report_waited"]  # most reported, then longest waiting
        return ["waited"]  # newest first

    def changelist_view(self, request, extra_context=None):
        columns = ["action_checkbox", *self.list_display]
        context = {
            "queue_sizes": Comment.objects.queue_sizes(),
            "current_queue": request.GET.get("queue", ""),
            # The admin's "o" parameter: sort by the score column, highest first.
            "worst_first": f"-{columns.index('score')}",
            "hide_reasons": Comment.HideReason.choices,
        }
        return super().changelist_view(request, {**context, **(extra_context or {})})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The decision buttons need the same annotations as the list rows.
        context = {"hide_reasons": Comment.HideReason.choices, **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)

    def render_change_form(self, request, context, *args, **kwargs):
        comment = context.get("original")
        if (
            comment is not None
            and request.method == "GET"
            and self.has_moderate_permission(request)
        ):
            ReviewClaim.renew(comment=comment, moderator=request.user)  # opened it to review
        if comment is not None:
            context["decisions"] = comment.allowed_decisions(open_reports=comment.open_reports)
        return super().render_change_form(request, context, *args, **kwargs)

    # Columns -----------------------------------------------------------------

    @admin.display(description="Comment")
    def excerpt(self, obj):
        status = "" if obj.is_visible else obj.get_status_display()
        return format_html(
            '<div class="mod-excerpt">{}</div>{}',
            Truncator(obj.body).chars(280),
            format_html('<span class="mod-status mod-status--{}">{}</span>', obj.status, status)
            if status
            else "",
        )

    @admin.display(description="Author")
    def author_history(self, obj):
        note = (
            format_html(
                '<br><span class="mod-note">Note: “{}”</span>',
                Truncator(obj.author_latest_note).chars(120),
            )
            if obj.author_latest_note
            else ""
        )
        return format_html(
            '<a href="{}"><strong>{}</strong></a><br><span class="mod-history">'
            "{} approved · {} hidden · {} reports against · {} notes</span>{}"
            '<br><a class="mod-history" href="?author={}">All their comments</a>',
            reverse("admin:comments_commenter_change", args=[obj.author_id]),
            obj.author.display_name,
            obj.author_approved,
            obj.author_hidden,
            obj.author_reported,
            obj.author_notes,
            note,
            obj.author_id,
        )

    @admin.display(description="Article", ordering="article__title")
    def article_link(self, obj):
        return format_html(
            '{}<br><a href="{}" target="_blank" rel="noopener">View in thread ↗</a>',
            Truncator(obj.article.title).chars(60),
            obj.get_absolute_url(),
        )

    @admin.display(description="Reports", ordering="open_reports")
    def report_summary(self, obj):
        if not obj.report_total:
            return "—"
        reasons = Counter(obj.open_reasons)
        labels = dict(Report.Reason.choices)
        detail = format_html_join(
            ", ", "{} ×{}", ((labels[r], n) for r, n in reasons.most_common())
        )
        return format_html(
            "<strong>{} open</strong> of {}<br>{}", obj.open_reports, obj.report_total, detail
        )

    @admin.display(description="Score", ordering="screened")
    def score(self, obj):
        if obj.abuse_score is None:
            return "—"
        if obj.abuse_score >= prescreen.DEFAULT_THRESHOLD:
            level = "high"
        else:
            level = "mid" if obj.abuse_score >= prescreen.DEFAULT_THRESHOLD / 2 else "low"
        return format_html(
            '<span class="mod-score mod-score--{}">{}</span>', level, f"{obj.abuse_score:.2f}"
        )

    @admin.display(description="Age", ordering="waited")
    def age(self, obj):
        return timesince(obj.created_at).split(",")[0]

    @admin.display(description="Waiting", ordering="report_waited")
    def waiting(self, obj):
        """In the reported queue: how long since the first open report."""
        if obj.first_open_report is None:
            return "—"
        return timesince(obj.first_open_report).split(",")[0]

    @admin.display(description="Decide")
    def decide(self, obj, *, can_ban=False):
        return render_to_string(
            "admin/comments/comment/_decide.html",
            {
                "comment": obj,
                "decisions": obj.allowed_decisions(open_reports=obj.open_reports),
                "reasons": Comment.HideReason.choices,
                "can_ban": can_ban,
            },
        )

    def get_list_display(self, request):
        # The decision buttons offer only what this moderator may do.
        can_ban = self.has_ban_permission(request)

        @admin.display(description="Decide")
        def decide(obj):
            return self.decide(obj, can_ban=can_ban)

        columns = {"decide": decide}
        if request.GET.get("queue") == "reported":
            columns["age"] = "waiting"  # the queue is ordered by how long reports wait
        return [columns.get(column, column) for column in self.list_display]

    @admin.display(description="Thread context")
    def thread_context(self, obj):
        parent = obj.parent
        replies = obj.replies.select_related("author")
        return render_to_string(
            "admin/comments/comment/_context.html",
            {"comment": obj, "parent": parent, "replies": replies},
        )

    @admin.display(description="History")
    def history(self, obj):
        return render_to_string(
            "admin/comments/comment/_history.html",
            {
                "actions": obj.actions.select_related("moderator"),
                "reports": obj.reports.select_related("reporter").order_by("created_at"),
            },
        )

    # One-click decisions ------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/decide/",
                wrap(require_POST(self.decide_view)),
                name="comments_comment_decide",
            ),
            path(
                "<int:pk>/claim/",
                wrap(require_POST(self.claim_view)),
                name="comments_comment_claim",
            ),
            *super().get_urls(),
        ]

    def claim_view(self, request, pk):
        """The queue's script says a moderator has a row open (the row has focus)."""
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        comment = get_object_or_404(Comment, pk=pk)
        ReviewClaim.renew(comment=comment, moderator=request.user)
        return JsonResponse({"ok": True})

    def decide_view(self, request, pk):
        """One decision, from a row's buttons or the queue's keyboard shortcuts: the same
        POST either way. The script asks for JSON (Accept), the buttons for a redirect."""
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        comment = get_object_or_404(Comment.objects.select_related("author"), pk=pk)
        was_visible = comment.is_visible
        decision = request.POST.get("decision")
        kwargs = {"comment": comment, "moderator": request.user}
        # The text the moderator read: a decision that publishes it must not publish an edit.
        seen_text = request.POST.get(f"seen_text_{pk}")
        try:
            match decision:
                case Decision.APPROVE:
                    comment = moderation.approve(**kwargs, seen_text=seen_text)
                case Decision.RESTORE:
                    comment = moderation.restore(**kwargs)
                case Decision.DISMISS:
                    comment = moderation.dismiss_reports(**kwargs, seen_text=seen_text)
                case Decision.HIDE:
                    form = HideForm(
                        {
                            "reason": request.POST.get(
                                f"hide_reason_{pk}", request.POST.get("reason")
                            ),
                            "note": request.POST.get(
                                f"hide_note_{pk}", request.POST.get("note", "")
                            ),
                        }
                    )
                    if not form.is_valid():
                        return self._answer(request, "Choose a reason to hide a comment.")
                    comment = moderation.hide(**kwargs, **form.cleaned_data)
                case _:
                    return self._answer(request, "Unknown decision.")
        except ValueError as error:
            return self._answer(request, str(error))
        message = _decided(decision, comment, was_visible=was_visible)
        return self._answer(request, message, comment=comment)

    def _answer(self, request, message, *, comment=None):
        """Tell the moderator how it went: a refusal (no comment) or the decision made."""
        if "application/json" in request.headers.get("Accept", ""):
            if comment is None:
                return JsonResponse({"ok": False, "message": message}, status=400)
            return JsonResponse(
                {
                    "ok": True,
                    "message": message,
                    "status": comment.get_status_display(),
                    "state": comment.status,
                    "decisions": sorted(
                        comment.allowed_decisions(open_reports=comment.reports.open().count())
                    ),
                }
            )
        level = messages.ERROR if comment is None else messages.SUCCESS
        self.message_user(request, message, level)
        return self._back(request)

    def _back(self, request):
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            back = reverse("admin:comments_comment_changelist")
        return HttpResponseRedirect(back)

    # Bulk actions -----------------------------------------------------------

    def _bulk(self, request, queryset, decision, verb, **kwargs):
        done, skipped = decide_many(decision, queryset, moderator=request.user, **kwargs)
        self.message_user(request, f"{verb} {done} comment(s).", messages.SUCCESS)
        for why, n in skipped.items():
            self.message_user(request, f"Skipped {n} comment(s): {why}", messages.WARNING)

    @admin.action(
        description="Feature selected comments above their thread", permissions=["feature"]
    )
    def feature_selected(self, request, queryset):
        self._bulk(request, queryset, moderation.feature, "Featured")

    @admin.action(description="Stop featuring selected comments", permissions=["feature"])
    def unfeature_selected(self, request, queryset):
        self._bulk(request, queryset, moderation.unfeature, "Stopped featuring")

    @admin.action(description="Approve selected comments", permissions=["moderate"])
    def approve_selected(self, request, queryset):
        self._bulk(request, queryset, moderation.approve, "Approved")

    @admin.action(description="Restore selected hidden comments", permissions=["moderate"])
    def restore_selected(self, request, queryset):
        self._bulk(request, queryset, moderation.restore, "Restored")

    @admin.action(description="Dismiss reports on selected comments", permissions=["moderate"])
    def dismiss_selected(self, request, queryset):
        self._bulk(request, queryset, moderation.dismiss_reports, "Dismissed reports on")

    @admin.action(description="Hide selected comments…", permissions=["moderate"])
    def hide_selected(self, request, queryset):
        form = HideForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._bulk(request, queryset, moderation.hide, "Hid", **form.cleaned_data)
            return None
        return self._intermediate(request, queryset, form, "hide_selected", "Hide comments")

    @admin.action(description="Ban authors of selected comments…", permissions=["ban"])
    def ban_authors(self, request, queryset):
        form = BanForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            authors = {c.author for c in queryset.select_related("author")}
            banned = 0
            for author in authors:
                try:
                    form.ban(user=author, moderator=request.user)
                except ValueError as refusal:
                    self.message_user(request, f"Not banned: {refusal}", messages.ERROR)
                else:
                    banned += 1
            if banned:
                self.message_user(request, f"Banned {banned} reader(s).", messages.SUCCESS)
            return None
        return self._intermediate(request, queryset, form, "ban_authors", "Ban authors")

    def _intermediate(self, request, queryset, form, action, title):
        return TemplateResponse(
            request,
            "admin/comments/comment/intermediate.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "form": form,
                "action": action,
                "queryset": queryset.select_related("author"),
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


def _decided(decision: str, comment: Comment, *, was_visible: bool) -> str:
    """The decision just made, in the words a moderator would use."""
    if decision == Decision.HIDE:
        return f"{HIDDEN_AS[comment.hidden_reason]}."
    author = comment.author.display_name
    return {
        Decision.APPROVE: f"Approved {author}’s comment.",
        Decision.RESTORE: f"Restored {author}’s comment.",
        Decision.DISMISS: f"Dismissed the reports on {author}’s comment"
        + ("; it is visible again." if comment.is_visible and not was_visible else "."),
    }[decision]
