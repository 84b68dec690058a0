from django.contrib import admin

from .models import MutedThread, Notification, Preferences


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "comment", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient", "comment__author", "comment__article"]
    search_fields = ["recipient__username"]
    readonly_fields = [
        "recipient",
        "kind",
        "comment",
        "thread",
        "reason",
        "created_at",
        "read_at",
        "emailed_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Preferences)
class PreferencesAdmin(admin.ModelAdmin):
    list_display = ["user", "reply_email", "moderation_email", "last_digest_at"]
    list_filter = ["reply_email"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]


@admin.register(MutedThread)
class MutedThreadAdmin(admin.ModelAdmin):
    list_display = ["user", "thread", "created_at"]
    list_select_related = ["user", "thread"]
    raw_id_fields = ["user", "thread"]
