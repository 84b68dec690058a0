"""Housekeeping: tables that only grow unless something clears them. Run daily by a
scheduler as `manage.py housekeeping` (see README); each step is safe to repeat."""

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.retention import purge_network_data


def expired_sessions() -> int:
    # What `manage.py clearsessions` does for the cached_db engine, counted.
    return Session.objects.filter(expire_date__lt=timezone.now()).delete()[0]


def old_login_throttling() -> int:
    """django-axes' failure counts past their cool-off: they lock nobody out any more."""
    cooled_off = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(attempt_time__lt=cooled_off).delete()[0]


def network_data_past_retention() -> int:
    """Log-in histories past NETWORK_DATA_RETENTION_DAYS (the period the privacy page
    states), and rate-limit counters no limit reads any more (their keys hold addresses)."""
    return sum(purge_network_data(days=settings.NETWORK_DATA_RETENTION_DAYS).values())


def finished_tasks() -> int:
    """Tasks that succeeded more than TASKS_KEEP_DAYS ago; failed ones are kept
    TASKS_KEEP_FAILED_DAYS, so that staff see them in the admin."""
    now = timezone.now()
    done = DBTaskResult.objects.successful().filter(
        finished_at__lt=now - timedelta(days=settings.TASKS_KEEP_DAYS)
    )
    failed = DBTaskResult.objects.failed().filter(
        finished_at__lt=now - timedelta(days=settings.TASKS_KEEP_FAILED_DAYS)
    )
    return done.delete()[0] + failed.delete()[0]


STEPS = {
    "expired sessions": expired_sessions,
    "old login-throttling records": old_login_throttling,
    "network data past retention": network_data_past_retention,
    "finished tasks": finished_tasks,
}


def run() -> dict[str, int]:
    """Every step; returns how many rows each removed."""
    return {name: step() for name, step in STEPS.items()}
