from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from . import page_cache
from .models import NAVIGATION_CACHE_KEY, Article, Section

# What lists of other articles (related articles) show or are ordered by.
LISTED_FIELDS = ("slug", "title", "section_id", "published_at")


@receiver([post_save, post_delete], sender=Section)
def section_changed(sender, **kwargs):
    cache.delete(NAVIGATION_CACHE_KEY)
    page_cache.public_articles_changed()  # related articles show their section's name


@receiver(pre_save, sender=Article)
def remember_saved_state(sender, instance, raw=False, **kwargs):
    # The row as stored: a save may change the slug (the old address's caches must
    # go too) and whether the article is public.
    instance._saved_state = None
    if instance.pk and not raw:
        instance._saved_state = (
            Article.objects.filter(pk=instance.pk).only("status", *LISTED_FIELDS).first()
        )


@receiver(post_save, sender=Article)
def article_saved(sender, instance, **kwargs):
    before = getattr(instance, "_saved_state", None)
    page_cache.forget({instance.slug, *([before.slug] if before else [])})
    if before is None:
        listed_change = instance.is_public
    elif instance.is_public != before.is_public:
        listed_change = True
    else:
        # A public article's text can change without touching other pages.
        listed_change = instance.is_public and any(
            getattr(instance, name) != getattr(before, name) for name in LISTED_FIELDS
        )
    if listed_change:
        page_cache.public_articles_changed()


@receiver(post_delete, sender=Article)
def article_deleted(sender, instance, **kwargs):
    page_cache.forget([instance.slug])
    if instance.is_public:
        page_cache.public_articles_changed()


@receiver(m2m_changed, sender=Article.authors.through)
@receiver(m2m_changed, sender=Article.tags.through)
def byline_or_tags_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and isinstance(instance, Article):
        # A byline or tag change is a change to the article: caches keyed on its
        # revision (related articles, page fragments, comment badges) must see it.
        Article.objects.filter(pk=instance.pk).update(updated_at=timezone.now())
        page_cache.forget([instance.slug])
        if instance.is_public and sender is Article.tags.through:
            page_cache.public_articles_changed()  # related articles follow shared tags
