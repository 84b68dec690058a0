"""Housekeeping: tables that only grow unless something clears them. Run daily by a
scheduler as `manage.py housekeeping` (see README); each step is safe to repeat."""

import time
from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .models import RateLimitBucket

# Failed-login records are kept this long for staff looking into an attack.
LOGIN_FAILURE_LOG_DAYS = 30


def expired_sessions() -> int:
    # What `manage.py clearsessions` does for the cached_db engine, counted.
    return Session.objects.filter(expire_date__lt=timezone.now()).delete()[0]


def old_rate_limits() -> int:
    """Windows no limit reads any more (ratelimit.hit prunes them too, but only when the
    same key is hit again)."""
    return RateLimitBucket.objects.filter(expires__lt=int(time.time())).delete()[0]


def old_login_throttling() -> int:
    """django-axes' failure counts past their cool-off (they lock nobody out any more), and
    its failure log past LOGIN_FAILURE_LOG_DAYS."""
    now = timezone.now()
    attempts = AccessAttempt.objects.filter(attempt_time__lt=now - settings.AXES_COOLOFF_TIME)
    log = AccessFailureLog.objects.filter(
        attempt_time__lt=now - timedelta(days=LOGIN_FAILURE_LOG_DAYS)
    )
    return attempts.delete()[0] + log.delete()[0]


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
    "old rate-limit windows": old_rate_limits,
    "old login-throttling records": old_login_throttling,
    "finished tasks": finished_tasks,
}


def run() -> dict[str, int]:
    """Every step; returns how many rows each removed."""
    return {name: step() for name, step in STEPS.items()}
