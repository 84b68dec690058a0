from django.core.management.base import BaseCommand

from newsroom import housekeeping


class Command(BaseCommand):
    help = (
        "Clear expired sessions, old rate-limit and login-throttling records and finished "
        "tasks. Run daily by a scheduler (see README)."
    )

    def handle(self, *args, **options):
        for name, removed in housekeeping.run().items():
            self.stdout.write(f"{name}: {removed} removed")
