from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from . import page_cache
from .models import NAVIGATION_CACHE_KEY, Article, Section


@receiver([post_save, post_delete], sender=Section)
def section_changed(sender, **kwargs):
    cache.delete(NAVIGATION_CACHE_KEY)


@receiver([post_save, post_delete], sender=Article)
def article_changed(sender, instance, **kwargs):
    page_cache.forget([instance.slug])


@receiver(m2m_changed, sender=Article.authors.through)
@receiver(m2m_changed, sender=Article.tags.through)
def byline_or_tags_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and isinstance(instance, Article):
        # A byline or tag change is a change to the article: caches keyed on its
        # revision (related articles, page fragments, comment badges) must see it.
        Article.objects.filter(pk=instance.pk).update(updated_at=timezone.now())
        page_cache.forget([instance.slug])
