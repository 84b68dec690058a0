from django.core.management.base import BaseCommand

from notifications.emails import send_due


class Command(BaseCommand):
    help = (
        "Queue the notification e-mails that are due: daily digests, and replies whose "
        "conversation's e-mail window has closed. Run every few minutes (see README)."
    )

    def handle(self, *args, **options):
        queued = send_due()
        self.stdout.write(f"{queued} notification e-mails queued.")
