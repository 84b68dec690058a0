"""Stored network addresses are purged after NETWORK_DATA_RETENTION_DAYS."""

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import RetiredName
from newsroom import ratelimit
from newsroom.models import RateLimitBucket

pytestmark = pytest.mark.django_db


def failed_login(client, ip):
    client.post(
        reverse("accounts:login"), {"username": "reader", "password": "wrong"}, REMOTE_ADDR=ip
    )


def test_addresses_older_than_the_period_are_purged_newer_ones_kept(client, reader, settings):
    settings.NETWORK_DATA_RETENTION_DAYS = 14
    failed_login(client, "192.0.2.1")
    failed_login(client, "192.0.2.2")
    old = timezone.now() - timedelta(days=15)
    AccessAttempt.objects.filter(ip_address="192.0.2.1").update(attempt_time=old)
    AccessFailureLog.objects.filter(ip_address="192.0.2.1").update(attempt_time=old)
    ratelimit.hit("signup", "192.0.2.3", limit=5, period=3600, now=old.timestamp())
    ratelimit.hit("signup", "192.0.2.4", limit=5, period=3600)

    out = StringIO()
    call_command("purge_network_data", stdout=out)

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.2"}
    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) <= {"192.0.2.2"}
    assert list(RateLimitBucket.objects.values_list("key", flat=True)) == ["signup:192.0.2.4"]
    assert "failed log-in records: 1 deleted" in out.getvalue()


def test_the_period_can_be_given_on_the_command_line(client, reader):
    failed_login(client, "192.0.2.1")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(days=3))
    call_command("purge_network_data", "--days", "5", stdout=StringIO())
    assert AccessAttempt.objects.count() == 1
    call_command("purge_network_data", "--days", "2", stdout=StringIO())
    assert AccessAttempt.objects.count() == 0


def test_names_no_longer_held_are_forgotten(db):
    now = timezone.now()
    RetiredName.objects.create(digest="a" * 64, held_until=now - timedelta(days=1))
    RetiredName.objects.create(digest="b" * 64, held_until=now + timedelta(days=1))
    call_command("purge_network_data", stdout=StringIO())
    assert list(RetiredName.objects.values_list("digest", flat=True)) == ["b" * 64]


def test_the_privacy_page_states_the_period(client, settings, privacy_page):
    settings.NETWORK_DATA_RETENTION_DAYS = 21
    html = client.get(reverse("pages:privacy")).content.decode()
    assert "21 days, then deleted automatically" in html
