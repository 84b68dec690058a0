from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import NAVIGATION_CACHE_KEY, Section


@receiver([post_save, post_delete], sender=Section)
def section_changed(sender, **kwargs):
    cache.delete(NAVIGATION_CACHE_KEY)
