from functools import cache

from django.conf import settings

from .models import Notification


def unread(request):
    """`unread_notifications` for the header, which asks for logged-in readers only: the
    count the reader was loaded with (accounts.backends), or one indexed query."""
    user = getattr(request, "user", None)

    @cache
    def count() -> int:
        if user is None or not user.is_authenticated:
            return 0
        if hasattr(user, "unread_notifications"):
            return user.unread_notifications
        return Notification.objects.for_reader(user).unread().shown().count()

    return {
        "unread_notifications": count,
        "COMMUNITY_GUIDELINES_URL": settings.COMMUNITY_GUIDELINES_URL,
    }
