"""Keep cached conversations exact when something shown in them changes elsewhere."""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import moderation
from .models import BlockedTerm, ModerationPolicy
from .moderation import rules

# Fields of the user that comments display: name, avatar, staff badge.
DISPLAYED_USER_FIELDS = {"username", "first_name", "last_name", "avatar", "is_staff"}


@receiver(post_save, sender=get_user_model())
def user_changed(sender, instance, created, update_fields=None, **kwargs):
    if created:
        return
    if update_fields is not None and not DISPLAYED_USER_FIELDS.intersection(update_fields):
        return  # e.g. a login stamping last_login
    moderation.invalidate_author(instance)


@receiver([post_save, post_delete], sender=BlockedTerm)
@receiver([post_save, post_delete], sender=ModerationPolicy)
def rules_changed(sender, **kwargs):
    rules.forget_rules()
