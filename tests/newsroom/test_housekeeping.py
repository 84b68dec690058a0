"""`manage.py housekeeping` clears what only grows, and keeps what is still in use."""

import time
from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from newsroom.mail import send_email
from newsroom.models import RateLimitBucket

pytestmark = pytest.mark.django_db


def test_housekeeping_clears_old_rows_and_keeps_current_ones(settings):
    now = timezone.now()
    Session.objects.create(session_key="old", session_data="", expire_date=now - timedelta(days=1))
    Session.objects.create(session_key="new", session_data="", expire_date=now + timedelta(days=1))
    RateLimitBucket.objects.create(key="old", bucket=1, hits=3, expires=int(time.time()) - 10)
    RateLimitBucket.objects.create(key="new", bucket=2, hits=3, expires=int(time.time()) + 60)
    for name, age in (
        ("old", settings.AXES_COOLOFF_TIME + timedelta(minutes=1)),
        ("new", timedelta()),
    ):
        attempt = AccessAttempt.objects.create(
            username=name, ip_address="10.0.0.1", user_agent="", failures_since_start=3
        )
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=now - age)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    for n in range(3):
        send_email(to="a@example.com", subject=f"{n}", body="")
    DBTaskResult.objects.update(status="SUCCESSFUL", finished_at=now)
    old_done, old_failed, _ = DBTaskResult.objects.order_by("id")
    DBTaskResult.objects.filter(pk=old_done.pk).update(finished_at=now - timedelta(days=8))
    DBTaskResult.objects.filter(pk=old_failed.pk).update(
        status="FAILED", finished_at=now - timedelta(days=8)
    )
    out = StringIO()
    call_command("housekeeping", stdout=out)
    assert list(Session.objects.values_list("session_key", flat=True)) == ["new"]
    assert list(RateLimitBucket.objects.values_list("key", flat=True)) == ["new"]
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["new"]
    # The failed task stays for staff to see; the old successful one goes.
    assert not DBTaskResult.objects.filter(pk=old_done.pk).exists()
    assert DBTaskResult.objects.count() == 2
    assert "finished tasks: 1 removed" in out.getvalue()


def test_housekeeping_purges_network_data_past_the_retention_period(settings):
    settings.NETWORK_DATA_RETENTION_DAYS = 30
    now = timezone.now()
    for name, age in (("old", timedelta(days=31)), ("recent", timedelta(days=29))):
        entry = AccessLog.objects.create(username=name, ip_address="10.0.0.1", user_agent="")
        AccessLog.objects.filter(pk=entry.pk).update(attempt_time=now - age)

    call_command("housekeeping", stdout=StringIO())

    assert list(AccessLog.objects.values_list("username", flat=True)) == ["recent"]
