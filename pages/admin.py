from django.contrib import admin

from .models import Page


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "version", "updated_at"]
    readonly_fields = ["updated_at"]
    fields = ["kind", "title", "body", "version", "updated_at"]
    view_on_site = True

    def has_delete_permission(self, request, obj=None):
        # The footer and the sign-up form link to every kind of page.
        return False
