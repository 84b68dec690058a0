from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.template.loader import render_to_string

from . import profiles
from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username", "email", "first_name", "last_name", "is_staff", "email_confirmed", "date_joined"
    ]  # fmt: skip
    # Avatars are only set through the reader's settings page, which checks and resizes
    # them; the admin can see one and take it down, not upload a raw file.
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        ("Avatar", {"fields": ["avatar_preview"]}),
        (
            "Confirmation, terms and deletion",
            {
                "fields": [
                    "email_confirmed_at",
                    "pending_email",
                    "terms_version",
                    "terms_accepted_at",
                    "deleted_at",
                ]
            },
        ),  # fmt: skip
    ]
    readonly_fields = [
        "avatar_preview", "email_confirmed_at", "pending_email", "terms_version",
        "terms_accepted_at", "deleted_at",
    ]  # fmt: skip
    actions = ["remove_avatars"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)  # inside the admin's transaction
        if change:
            profiles.shown_details_changed(user=obj, changed=set(form.changed_data))

    @admin.display(description="E-mail confirmed", boolean=True)
    def email_confirmed(self, user):
        return user.email_confirmed

    @admin.display(description="Avatar")
    def avatar_preview(self, user):
        return render_to_string("includes/_avatar.html", {"person": user, "size": 64})

    @admin.action(description="Remove the selected users’ avatars", permissions=["change"])
    def remove_avatars(self, request, queryset):
        removed = 0
        for user in queryset.exclude(avatar=""):
            profiles.remove_avatar(user=user)
            removed += 1
        self.message_user(request, f"Removed {removed} avatar(s).", messages.SUCCESS)
