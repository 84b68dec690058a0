from functools import cache

from django.conf import settings

from .models import Notification


def unread(request):
    """`unread_notifications` for the header: counted (one indexed query) only when a
    template asks, which it does for logged-in readers only."""
    user = getattr(request, "user", None)

    @cache
    def count() -> int:
        if user is None or not user.is_authenticated:
            return 0
        return Notification.objects.for_reader(user).unread().shown().count()

    return {
        "unread_notifications": count,
        "COMMUNITY_GUIDELINES_URL": settings.COMMUNITY_GUIDELINES_URL,
    }
