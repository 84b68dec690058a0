"""System checks for deployment mistakes Django's own checks cannot see."""

from django.conf import settings
from django.core.checks import Tags, register
from django.core.checks import Warning as CheckWarning

# Backends whose entries live in one process: every gunicorn worker would have its own.
PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    """Rate limits, login throttling and cache invalidation need one cache for all workers."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        CheckWarning(
            f"The default cache ({backend.rsplit('.', 1)[-1]}) is private to each process, so "
            "with several gunicorn workers rate limits are multiplied and saved articles "
            "and moderated comments stay stale in the other workers' caches.",
            hint="Set CACHE_URL to a shared Redis, e.g. CACHE_URL=rediscache://redis:6379/1.",
            id="newsroom.W001",
        )
    ]
