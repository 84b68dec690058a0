"""Loading the logged-in reader once per request, with what every page shows of them."""

import functools
from datetime import UTC, datetime

from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from comments.models import Ban
from newsroom import compiled
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


def active_ban_id(*, at=None) -> Subquery:
    """The reader's current ban, if any (most readers have none: then nothing more is read)."""
    return Subquery(Ban.objects.active(at=at).filter(user=OuterRef("pk")).values("pk")[:1])


# Values no row has and no clock shows, standing for the reader and the time in the
# compiled query.
_READER = -2_000_000_017
_NOW = datetime(1901, 1, 1, tzinfo=UTC)


@functools.cache
def _reader_sql() -> tuple[str, tuple]:
    """The reader's query, compiled once per process (newsroom.compiled): building it
    (two subqueries) took three times as long as PostgreSQL takes to run it."""
    queryset = User.objects.annotate(
        unread_notifications=unread_notifications(), active_ban_id=active_ban_id(at=_NOW)
    ).filter(pk=_READER)
    return compiled.sql(queryset, _READER, _NOW)


def load_reader(user_id) -> User | None:
    """The user with this id, with `unread_notifications` and `active_ban_id`; one query."""
    sql, params = _reader_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, compiled.bind(params, {_READER: user_id, _NOW: timezone.now()}))
        row = cursor.fetchone()
        if row is None:
            return None
        names = [column.name for column in cursor.description]
    fields = len(User._meta.concrete_fields)  # selected first, in order; annotations after
    user = User.from_db(connection.alias, None, row[:fields])
    for name, value in zip(names[fields:], row[fields:], strict=True):
        setattr(user, name, value)
    return user


class ReaderBackend(ModelBackend):
    """Django's ModelBackend, except that the reader of each request comes with what
    every page asks about them: the header's unread-notification count
    (`unread_notifications`) and whether they are banned (`active_ban_id`), so logged-in
    pages don't spend a query on either."""

    def get_user(self, user_id):
        user = load_reader(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
