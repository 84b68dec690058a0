from django.core.management.base import BaseCommand

from comments import moderation


class Command(BaseCommand):
    help = "Give the abuse pre-screen's score to comments stored before it existed."

    def handle(self, *args, **options):
        scored = moderation.score_unscored()
        self.stdout.write(f"Scored {scored} comment(s).")
