"""Loading the logged-in reader once per request, with what every page shows of them."""

from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from comments.models import Ban
from notifications.models import Notification

from .models import User


def unread_notifications() -> Coalesce:
    """The reader's unread notifications, counted inside the query that loads them."""
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"))
        .unread()
        .shown()
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), 0)


def active_ban_id() -> Subquery:
    """The reader's current ban, if any (most readers have none: then nothing more is read)."""
    return Subquery(Ban.objects.active().filter(user=OuterRef("pk")).values("pk")[:1])


class ReaderBackend(ModelBackend):
    """Django's ModelBackend, except that the reader of each request comes with what
    every page asks about them: the header's unread-notification count
    (`unread_notifications`) and whether they are banned (`active_ban_id`), so logged-in
    pages don't spend a query on either."""

    def get_user(self, user_id):
        try:
            user = User.objects.annotate(
                unread_notifications=unread_notifications(), active_ban_id=active_ban_id()
            ).get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
