from django.contrib import admin
from django.shortcuts import redirect

from newsroom import freshness

from ..models import BlockedTerm, ModerationPolicy


@admin.register(BlockedTerm)
class BlockedTermAdmin(admin.ModelAdmin):
    list_display = ["phrase", "action", "created_at"]
    list_editable = ["action"]
    list_filter = ["action"]
    search_fields = ["phrase"]
    fields = ["phrase", "action"]

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)  # bypasses BlockedTerm.delete()
        freshness.changed([freshness.RULES])


@admin.register(ModerationPolicy)
class ModerationPolicyAdmin(admin.ModelAdmin):
    """One row of settings: the list page goes straight to it."""

    def changelist_view(self, request, extra_context=None):
        ModerationPolicy.current()
        return redirect("admin:comments_moderationpolicy_change", 1)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
