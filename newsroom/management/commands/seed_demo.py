from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from newsroom import demo


class Command(BaseCommand):
    help = "Load demo accounts, articles and conversations (idempotent; see newsroom/demo/)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never in production)."
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates accounts with known passwords; DEBUG is off.")
        logins = demo.seed()
        self.stdout.write(self.style.SUCCESS("Demo content ready. Dev-only accounts:"))
        for login in logins:
            self.stdout.write(f"  {login.username:<12} {login.password:<20} {login.role}")
