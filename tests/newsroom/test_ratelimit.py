import pytest

from newsroom import ratelimit

pytestmark = pytest.mark.django_db

PERIOD = 60
START = 1_800_000_000 - 1_800_000_000 % PERIOD  # the start of a window


def hits(n, at, limit=5):
    for _ in range(n):
        ratelimit.hit("post", "reader", limit=limit, period=PERIOD, now=at)


def test_limit_holds_within_a_window_and_says_how_long_to_wait():
    hits(5, START + 10)
    with pytest.raises(ratelimit.RateLimited) as refused:
        hits(1, START + 10)
    assert 1 <= refused.value.retry_after <= 2 * PERIOD


def test_no_double_burst_across_a_window_boundary():
    hits(5, START + PERIOD - 1)  # a full burst at the very end of one window...
    with pytest.raises(ratelimit.RateLimited):
        hits(1, START + PERIOD + 1)  # ...leaves no room at the start of the next


def test_the_previous_window_slides_out():
    hits(5, START + PERIOD - 1)
    hits(5, START + 2 * PERIOD)  # a period later the earlier burst no longer counts


@pytest.mark.parametrize(
    ("earlier", "now", "limit"),
    [(0, 5, 5), (4, 1, 5), (5, 0, 5), (1, 0, 1), (0, 1, 1), (3, 2, 5), (0, 3, 3)],
)
def test_waiting_the_time_given_is_enough(earlier, now, limit):
    # `earlier` hits late in the previous window, `now` hits early in this one.
    hits(earlier, START - 5, limit)
    hits(now, START + 10, limit)
    with pytest.raises(ratelimit.RateLimited) as refused:
        hits(1, START + 11, limit)
    hits(1, START + 11 + refused.value.retry_after, limit)


def test_limits_are_per_client_and_per_action():
    hits(5, START)
    ratelimit.hit("post", "someone-else", limit=5, period=PERIOD, now=START)
    ratelimit.hit("report", "reader", limit=5, period=PERIOD, now=START)


def test_an_emptied_cache_hands_nobody_a_fresh_allowance():
    from django.core.cache import cache

    hits(5, START + 10)
    cache.clear()  # what a Redis restart does
    with pytest.raises(ratelimit.RateLimited):
        hits(1, START + 11)


def test_windows_nobody_reads_any_more_are_pruned():
    from newsroom.models import RateLimitBucket

    hits(3, START)
    hits(1, START + 5 * PERIOD)  # opens a window: rows long expired go
    assert list(RateLimitBucket.objects.values_list("bucket", "hits")) == [
        ((START + 5 * PERIOD) // PERIOD, 1)
    ]
