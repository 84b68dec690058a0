from django.conf import settings
from django.core.management.base import BaseCommand

from accounts import retention


class Command(BaseCommand):
    help = (
        "Delete stored network (IP) addresses older than NETWORK_DATA_RETENTION_DAYS "
        "(login-throttling records, rate-limit counters). Run it daily from a scheduler."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.NETWORK_DATA_RETENTION_DAYS,
            help="Keep this many days (default: NETWORK_DATA_RETENTION_DAYS).",
        )

    def handle(self, *args, days, **options):
        purged = retention.purge_network_data(days=days)
        for what, count in purged.items():
            self.stdout.write(f"{what}: {count} deleted")
