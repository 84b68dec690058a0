import difflib

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from reversion import create_revision, set_comment, set_user
from reversion.admin import VersionAdmin
from reversion.models import Version

from . import publishing
from .forms import ArticleAdminForm
from .models import Article, Section, Tag

# Fields shown in "what changed"; derived and machine-kept fields are left out.
COMPARED_FIELDS = [
    "title", "slug", "section", "authors", "tags", "standfirst", "body", "lead_image",
    "lead_image_alt", "lead_image_caption", "lead_image_credit", "status", "published_at",
    "revised_at", "comments_enabled",
]  # fmt: skip


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        publishing.sections_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        publishing.sections_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        publishing.sections_changed()


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]


@admin.register(Article)
class ArticleAdmin(VersionAdmin):
    form = ArticleAdminForm
    list_display = ["title", "publication_state", "section", "byline", "published_at"]
    list_filter = ["status", "section", "comments_enabled", "published_at", "tags"]
    list_select_related = ["section"]
    search_fields = ["title", "standfirst", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["authors"]
    autocomplete_fields = ["tags"]
    readonly_fields = ["revised_at", "lead_image_preview", "created_at", "updated_at"]
    actions = ["publish_selected", "unpublish_selected"]
    history_latest_first = True
    object_history_template = "admin/articles/article/object_history.html"
    fieldsets = [
        (None, {"fields": ["title", "slug", "section", "authors", "tags", "standfirst", "body"]}),
        (
            "Lead image",
            {
                "fields": [
                    "lead_image",
                    "lead_image_preview",
                    "lead_image_alt",
                    "lead_image_caption",
                    "lead_image_credit",
                ]  # fmt: skip
            },
        ),
        (
            "Publication",
            {
                "fields": [
                    "status",
                    "published_at",
                    "comments_enabled",
                    "premoderate_comments",
                    "substantive_update",
                    "revised_at",
                ]  # fmt: skip
            },
        ),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("authors")

    def save_model(self, request, obj, form, change):
        if form.cleaned_data.get("substantive_update"):
            obj.mark_revised()
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # The byline and tags: part of the revision whose updated_at save_model stamped.
        super().save_related(request, form, formsets, change)
        if hasattr(request, "article_before_revert"):
            # The revert may have changed the tags too.
            before, tags_changed = request.article_before_revert, True
        else:
            before = publishing.ArticleState.from_initial(form.initial) if change else None
            tags_changed = "tags" in form.changed_data
        publishing.article_saved(article=form.instance, before=before, tags_changed=tags_changed)

    # django-reversion writes the chosen revision into the row before the change form
    # loads it, so that form's initial values are the revision's, not what readers see:
    # these views remember what readers see until the revert is saved.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            request.article_before_revert = publishing.ArticleState.stored(unquote(object_id))
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if request.method == "POST":
            request.article_before_revert = None  # deleted: readers see nothing of it
        return super().recover_view(request, version_id, extra_context)

    def delete_model(self, request, obj):
        publishing.delete_article(article=obj)

    def delete_queryset(self, request, queryset):
        publishing.delete_articles(articles=queryset)

    @admin.display(description="Byline")
    def byline(self, obj):
        return ", ".join(str(a) for a in obj.authors.all())

    @admin.display(description="State", ordering="status")
    def publication_state(self, obj):
        if obj.is_scheduled:
            when = timezone.localtime(obj.published_at).strftime("%d %b %Y %H:%M")
            return format_html('<strong class="scheduled">Scheduled for {}</strong>', when)
        return obj.get_status_display()

    @admin.display(description="Current picture")
    def lead_image_preview(self, obj):
        sizes = obj.lead_image_sizes
        if not sizes:
            return "—"
        return format_html('<img src="{}" alt="" width="240">', sizes[0]["url"])

    @admin.action(description="Publish selected articles", permissions=["change"])
    def publish_selected(self, request, queryset):
        for article in queryset:
            with create_revision():
                set_user(request.user)
                set_comment("Published.")
                publishing.publish(article=article)
        self.message_user(request, f"Published {len(queryset)} article(s).", messages.SUCCESS)

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["change"])
    def unpublish_selected(self, request, queryset):
        for article in queryset:
            with create_revision():
                set_user(request.user)
                set_comment("Unpublished.")
                publishing.unpublish(article=article)
        self.message_user(request, f"Unpublished {len(queryset)} article(s).", messages.SUCCESS)

    # Revision history: django-reversion lists who saved each revision, when, and
    # the admin's summary of changed fields; this view shows the changes themselves.

    def get_urls(self):
        changes = path(
            "<path:object_id>/history/<int:version_id>/changes/",
            self.admin_site.admin_view(self.revision_changes_view),
            name="articles_article_revision_changes",
        )
        return [changes, *super().get_urls()]

    def revision_changes_view(self, request, object_id, version_id):
        article = self.get_object(request, object_id)
        if article is None or not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        versions = Version.objects.get_for_object(article).select_related("revision__user")
        version = get_object_or_404(versions, pk=version_id)
        previous = versions.filter(pk__lt=version.pk).first()  # newest first
        before = previous.field_dict if previous else {}
        after = version.field_dict
        changes = []
        for name in COMPARED_FIELDS:
            field = Article._meta.get_field(name)
            old, new = before.get(field.attname), after.get(field.attname)
            if previous is None or old != new:
                diff = _diff(_display(field, old), _display(field, new))
                changes.append({"label": field.verbose_name, "diff": diff})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": f"Changes in the revision of {version.revision.date_created:%d %b %Y %H:%M}",
            "version": version,
            "previous": previous,
            "changes": changes,
        }
        return TemplateResponse(request, "admin/articles/article/revision_changes.html", context)


def _display(field, value) -> str:
    if value is None:
        return ""
    if field.many_to_many:
        names = field.related_model.objects.filter(pk__in=value).order_by("pk")
        return "\n".join(str(obj) for obj in names)
    if field.many_to_one:
        obj = field.related_model.objects.filter(pk=value).first()
        return str(obj) if obj else f"(deleted #{value})"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).strftime("%d %b %Y %H:%M")
    return str(value)


def _diff(before: str, after: str) -> list[tuple[str, str]]:
    """Line by line: ("removed" | "added" | "same", text)."""
    kinds = {"-": "removed", "+": "added", " ": "same"}
    lines = difflib.ndiff(before.splitlines(), after.splitlines())
    return [(kinds[line[0]], line[2:]) for line in lines if line[0] in kinds]
