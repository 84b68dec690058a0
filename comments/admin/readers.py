"""Readers as moderators see them: history, private notes, bans and pre-moderation."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from .. import moderation
from ..models import (
    Ban,
    Comment,
    Commenter,
    ModerationAction,
    PremoderatedReader,
    ReaderNote,
    Report,
)
from ..models.comment import count_of
from .forms import BanForm, NoteForm
from .readonly import ReadOnlyAdmin


@admin.register(Commenter)
class CommenterAdmin(ReadOnlyAdmin):
    change_form_template = "admin/comments/commenter/change_form.html"
    list_display = [
        "username",
        "display",
        "date_joined",
        "visible",
        "hidden",
        "reports_against",
        "standing",
    ]
    search_fields = ["username", "first_name", "last_name", "email"]
    list_filter = ["date_joined"]
    fields = ["username", "first_name", "last_name", "date_joined", "last_login", "record"]
    readonly_fields = fields

    def get_queryset(self, request):
        comments = Comment.objects.by(OuterRef("pk"))
        bans = Ban.objects.active().filter(user=OuterRef("pk")).order_by("-expires_at")
        return (
            super()
            .get_queryset(request)
            .annotate(
                visible=count_of(comments.visible()),
                hidden=count_of(comments.hidden()),
                reports_against=count_of(Report.objects.against(OuterRef("pk"))),
                # The standing column, without a query per row.
                active_ban=Subquery(bans.values("pk")[:1]),
                ban_expires_at=Subquery(bans.values("expires_at")[:1]),
                premoderated=Exists(PremoderatedReader.objects.filter(user=OuterRef("pk"))),
            )
        )

    @admin.display(description="Name")
    def display(self, obj):
        return obj.display_name

    @admin.display(description="Visible comments", ordering="visible")
    def visible(self, obj):
        return obj.visible

    @admin.display(description="Hidden", ordering="hidden")
    def hidden(self, obj):
        return obj.hidden

    @admin.display(description="Reports against", ordering="reports_against")
    def reports_against(self, obj):
        return obj.reports_against

    @admin.display(description="Standing")
    def standing(self, obj):
        if obj.active_ban:
            until = f"until {obj.ban_expires_at:%d %b %Y}" if obj.ban_expires_at else "permanently"
            return format_html(
                '<strong class="mod-status mod-status--hidden">Banned {}</strong>', until
            )
        return "Pre-moderated" if obj.premoderated else "Good"

    @admin.display(description="Moderation record")
    def record(self, obj):
        comments = Comment.objects.by(obj)
        return render_to_string(
            "admin/comments/commenter/_record.html",
            {
                "reader": obj,
                "counts": comments.status_counts(),
                "reports_against": Report.objects.against(obj).count(),
                "ban": moderation.active_ban(obj),
                "bans": obj.bans.select_related("created_by").order_by("-created_at"),
                "premoderated": PremoderatedReader.objects.filter(user=obj).first(),
                "notes": ReaderNote.objects.filter(user=obj).select_related("written_by"),
                "actions": ModerationAction.objects.filter(subject=obj).select_related(
                    "moderator", "comment"
                )[:50],
                "recent": comments.select_related("article").order_by("-created_at")[:10],
            },
        )

    def render_change_form(self, request, context, *args, **kwargs):
        # The reader's current ban replaces the offer to ban them.
        reader = context.get("original")
        if reader is not None:
            bans = Ban.objects.active().filter(user=reader).order_by("-expires_at")
            context["active_ban"] = bans.first()
        return super().render_change_form(request, context, *args, **kwargs)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/ban/", wrap(self.ban_view), name="comments_commenter_ban"),
            path(
                "<int:pk>/note/", wrap(require_POST(self.note_view)), name="comments_commenter_note"
            ),
            path(
                "<int:pk>/premoderation/",
                wrap(require_POST(self.premoderation_view)),
                name="comments_commenter_premoderation",
            ),
            *super().get_urls(),
        ]

    def _reader(self, pk):
        return get_object_or_404(Commenter, pk=pk)

    def _back(self, reader):
        return HttpResponseRedirect(reverse("admin:comments_commenter_change", args=[reader.pk]))

    def ban_view(self, request, pk):
        if not request.user.has_perm("comments.ban_commenter"):
            raise PermissionDenied
        reader = self._reader(pk)
        form = BanForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                form.ban(user=reader, moderator=request.user)
            except ValueError as refusal:
                form.add_error(None, str(refusal))
            else:
                self.message_user(request, f"{reader.display_name} is banned.", messages.SUCCESS)
                return self._back(reader)
        return TemplateResponse(
            request,
            "admin/comments/commenter/ban.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Ban {reader.display_name}",
                "reader": reader,
                "form": form,
                "visible_comments": Comment.objects.by(reader).visible().count(),
                "active_ban": Ban.objects.active().filter(user=reader).first(),
                "opts": self.model._meta,
            },
        )

    def note_view(self, request, pk):
        if not request.user.has_perm("comments.add_readernote"):
            raise PermissionDenied
        reader = self._reader(pk)
        form = NoteForm(request.POST)
        if form.is_valid():
            ReaderNote.objects.create(
                user=reader, text=form.cleaned_data["text"], written_by=request.user
            )
            self.message_user(request, "Note added.", messages.SUCCESS)
        else:
            self.message_user(request, "A note needs some text.", messages.ERROR)
        return self._back(reader)

    def premoderation_view(self, request, pk):
        if not request.user.has_perm("comments.moderate_comment"):
            raise PermissionDenied
        reader = self._reader(pk)
        on = request.POST.get("on") == "1"
        moderation.set_premoderation(user=reader, moderator=request.user, on=on)
        state = "on" if on else "off"
        self.message_user(
            request, f"Pre-moderation {state} for {reader.display_name}.", messages.SUCCESS
        )
        return self._back(reader)


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "expires_at", "is_active", "created_by", "reason"]
    list_filter = ["created_at", "expires_at"]
    search_fields = ["user__username", "reason"]
    list_select_related = ["user", "created_by"]
    readonly_fields = ["user", "reason", "created_by", "created_at", "expires_at", "lifted_at"]
    actions = ["lift_selected"]

    def has_add_permission(self, request):
        return False  # bans are made from a reader's page or the queue, through the workflow

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(boolean=True, description="Active")
    def is_active(self, obj):
        return obj.is_active

    @admin.action(description="Lift selected bans", permissions=["change"])
    def lift_selected(self, request, queryset):
        for ban in queryset:
            moderation.lift_ban(ban=ban, moderator=request.user)
        self.message_user(request, f"Lifted {queryset.count()} ban(s).", messages.SUCCESS)


@admin.register(ReaderNote)
class ReaderNoteAdmin(ReadOnlyAdmin):
    """Notes are written on the reader's page and never edited."""

    list_display = ["user", "text", "written_by", "created_at"]
    search_fields = ["user__username", "text"]
    list_select_related = ["user", "written_by"]
    readonly_fields = ["user", "text", "written_by", "created_at"]


@admin.register(PremoderatedReader)
class PremoderatedReaderAdmin(ReadOnlyAdmin):
    """Switched on and off from the reader's page, so that each change is recorded."""

    list_display = ["user", "added_by", "created_at"]
    list_select_related = ["user", "added_by"]
    readonly_fields = ["user", "added_by", "created_at"]
