"""Demo content for local development: `python manage.py seed_demo`.

Accounts, articles and conversations with their moderation, so it lives with
the project rather than in any one app. Idempotent: running it again leaves
existing rows alone and adds what is missing, except that one article is moved
back into the future once its scheduled time has passed, so the demo always
has a scheduled article. Dev-only accounts get well-known passwords, which the
command prints, so it refuses to run with DEBUG off unless forced.
"""

import random

from django.db import transaction

from . import accounts, articles, comments, pages


@transaction.atomic
def seed() -> list[accounts.Login]:
    """Add whatever of the demo is missing; return the dev-only logins."""
    rng = random.Random(2026)  # the same demo every time
    pages.seed()
    people = accounts.seed()
    articles.seed(rng, authors=[people.editor, people.reporter])
    comments.seed_conversations(people.readers, [people.editor], rng)
    comments.seed_moderation(people.moderator, people.readers, rng)
    comments.seed_engagement(people.readers, people.editor, rng)
    return people.logins
