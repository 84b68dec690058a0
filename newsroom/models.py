"""Site-wide tables."""

from django.db import models


class RateLimitBucket(models.Model):
    """How many times one client did one thing in one fixed window (newsroom/ratelimit.py).

    In PostgreSQL rather than the cache, so that limits hold while Redis is down and a
    Redis restart hands nobody a fresh allowance.
    """

    key = models.CharField(max_length=200, help_text="The action and who did it.")
    bucket = models.BigIntegerField(help_text="Seconds since the epoch ÷ the period.")
    hits = models.PositiveIntegerField(default=0)
    # Epoch seconds after which the row is no longer read (it is the previous window's
    # count for one more period).
    expires = models.BigIntegerField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "bucket"], name="ratelimit_one_row_per_window")
        ]

    def __str__(self):
        return f"{self.key} @ {self.bucket}: {self.hits}"
