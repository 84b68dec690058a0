"""How long the site keeps readers' network addresses (the privacy page states it).

Network addresses are stored only to stop abuse: django-axes's records of failed
log-ins and the rate-limit counters (newsroom/ratelimit.py), whose keys hold the
address they count. `purge_network_data` (the management command of that name,
run daily by a scheduler) deletes those older than the retention period, and
names that deleted accounts no longer hold.
"""

from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import transaction
from django.utils import timezone

from newsroom import ratelimit

from .models import RetiredName


@transaction.atomic
def purge_network_data(*, days: int) -> dict[str, int]:
    """Delete what holds a network address and is older than `days`; return counts."""
    now = timezone.now()
    cutoff = now - timedelta(days=days)
    return {
        "failed log-in records": AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()[0],
        "failed log-in history": AccessFailureLog.objects.filter(attempt_time__lt=cutoff).delete()[
            0
        ],
        "log-in history": AccessLog.objects.filter(attempt_time__lt=cutoff).delete()[0],
        # Counters are read for two periods at most (hours); once expired, nothing needs them.
        "rate-limit counters": ratelimit.clear_expired(now=now.timestamp()),
        "retired usernames no longer held": RetiredName.objects.filter(
            held_until__lte=now
        ).delete()[0],
    }
