"""Demo conversations for seed_demo: realistic threads on a few articles."""

import random
from datetime import timedelta

from django.db import transaction

from articles.models import Article

from .models import Comment
from .moderation import refresh_article_stats

OPENERS = [
    "I live two streets from here and this is the first I've heard of it.",
    "Good to see this finally reported properly.",
    "Does anyone know whether the figures include last winter?",
    "This has been coming for years, frankly.",
    "The article skips over who is actually paying for this.",
    "Really clear explainer, thank you.",
    "I was at the meeting on Thursday and the mood was nothing like described here.",
    "Worth reading the full report, it's more nuanced than the headline.",
]
REPLIES = [
    "Agreed, though I think the timing matters more than the cost.",
    "Not sure that's right: the council published the numbers in March.",
    "Same here. Nobody knocked on our door either.",
    "Do you have a source for that?",
    "It's on page 14 of the report: https://example.org/report.pdf",
    "Fair point, I hadn't thought of it that way.",
    "That's exactly what worries me.",
    "We had the same debate in our town and it worked out fine in the end.",
    "I'd push back a little. The earlier scheme failed for different reasons.",
]


def add_paragraphs(rng: random.Random, first: str, pool: list[str]) -> str:
    extra = rng.sample(pool, rng.randint(0, 2))
    body = first
    if extra:
        body += "\n\n" + " ".join(extra)
    return body


@transaction.atomic
def seed_conversations(readers, staff, rng: random.Random, articles=5) -> None:
    """Give the latest public articles threaded conversations (once)."""
    for article in Article.objects.public().order_by("-published_at")[:articles]:
        if Comment.objects.for_article(article).exists():
            continue
        when = article.published_at + timedelta(minutes=20)
        comments = []
        for opener in rng.sample(OPENERS, rng.randint(3, 6)):
            when += timedelta(minutes=rng.randint(5, 90))
            top = Comment.objects.create(
                article=article, author=rng.choice(readers), created_at=when,
                body=add_paragraphs(rng, opener, REPLIES),
            )  # fmt: skip
            comments.append(top)
            parent = top
            for _ in range(rng.randint(0, 5)):
                when += timedelta(minutes=rng.randint(2, 60))
                reply = Comment(
                    article=article, author=rng.choice(readers + staff[:1]),
                    body=rng.choice(REPLIES), created_at=when,
                )  # fmt: skip
                reply.place_under(rng.choice([parent, parent, top]))
                reply.save()
                parent = reply
        refresh_article_stats([article.pk])
