"""Demo conversations: realistic threads on a few articles, and a moderation history."""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from articles.models import Article
from comments import moderation
from comments.models import BlockedTerm, Comment, ModerationAction, ModerationPolicy, Report
from comments.moderation import refresh_article_stats
from newsroom import ratelimit

RUDE = [
    "Anyone who believes this is a complete fool.",
    "BUY NOW cheap watches at my site, best prices!!!",
    "This reporter should be sacked, I know where she lives.",
    "Totally off topic but has anyone seen the football?",
]

# Held by the abuse pre-screen when posted (its rule is switched on for the demo).
ABUSIVE = [
    "Shut up, you stupid moron. Nobody asked you.",
    "The councillor is a lying idiot and a crook.",
    "What a pathetic, worthless comment from a total loser.",
]

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
        now = timezone.now()
        when = min(article.published_at + timedelta(minutes=20), now)
        # At most 36 comments, spread over the time since publication: none in the future.
        stretch = min(1.0, (now - when) / timedelta(minutes=36 * 90))
        comments = []
        for opener in rng.sample(OPENERS, rng.randint(3, 6)):
            when += timedelta(minutes=rng.randint(5, 90)) * stretch
            top = Comment.objects.create(
                article=article, author=rng.choice(readers), created_at=when,
                body=add_paragraphs(rng, opener, REPLIES),
            )  # fmt: skip
            comments.append(top)
            parent = top
            for _ in range(rng.randint(0, 5)):
                when += timedelta(minutes=rng.randint(2, 60)) * stretch
                reply = Comment(
                    article=article, author=rng.choice(readers + staff[:1]),
                    body=rng.choice(REPLIES), created_at=when,
                )  # fmt: skip
                reply.place_under(rng.choice([parent, parent, top]))
                reply.save()
                parent = reply
        refresh_article_stats([article.pk])


@transaction.atomic
@ratelimit.lifted()  # a month of reports and posts replayed in a second
def seed_moderation(moderator, readers, rng: random.Random) -> None:
    """Reports, held and hidden comments, a ban and 30 days of decisions (once)."""
    if ModerationAction.objects.filter(moderator=moderator).exists():
        return
    BlockedTerm.objects.get_or_create(phrase="buy now", defaults={"action": "hold"})
    BlockedTerm.objects.get_or_create(phrase="scoundrel", defaults={"action": "refuse"})
    troll = next(r for r in readers if r.username == "troll")
    others = [r for r in readers if r != troll]
    articles = list(Article.objects.public().order_by("-published_at")[:8])
    now = timezone.now()

    # A month of decided reports, so the dashboard has history: rude comments are
    # hidden, fair ones reported by an irritated reader are approved or dismissed.
    public = list(Article.objects.public())
    for day in range(30, 0, -1):
        posted_at = now - timedelta(days=day, hours=3)
        candidates = [a for a in public if a.published_at < posted_at]
        for _ in range(rng.randint(0, 3) if candidates else 0):
            decision = rng.choice(["hide", "hide", "approve", "dismiss"])
            comment = Comment.objects.create(
                article=rng.choice(candidates), author=rng.choice(readers), created_at=posted_at,
                body=rng.choice(RUDE if decision == "hide" else REPLIES),
            )  # fmt: skip
            reporter = rng.choice([r for r in others if r != comment.author])
            moderation.report_comment(
                reporter=reporter,
                comment=comment,
                reason=rng.choice(["spam", "abuse", "off_topic"]),
            )
            if decision == "hide":
                moderation.hide(
                    comment=comment,
                    moderator=moderator,
                    reason=rng.choice(["spam", "abuse", "off_topic"]),
                )
            elif decision == "approve":
                moderation.approve(comment=comment, moderator=moderator)
            else:
                moderation.dismiss_reports(comment=comment, moderator=moderator)
            reported_at = posted_at + timedelta(hours=1)
            decided_at = reported_at + timedelta(minutes=rng.randint(5, 300))
            Report.objects.filter(comment=comment).update(
                created_at=reported_at, resolved_at=decided_at
            )
            ModerationAction.objects.filter(comment=comment).update(created_at=decided_at)
            ModerationAction.objects.filter(comment=comment, first_report_at__isnull=False).update(
                first_report_at=reported_at
            )

    # Today's queue: reported, held by reports, held by a rule.
    for body, reporters in [(RUDE[0], 2), (RUDE[3], 1), (RUDE[2], 3)]:
        comment = moderation.post_comment(author=troll, article=rng.choice(articles), body=body)
        for reporter in rng.sample(others, reporters):
            moderation.report_comment(
                reporter=reporter, comment=comment, reason="abuse", note="Not OK"
            )
    moderation.post_comment(author=troll, article=articles[0], body=RUDE[1])

    # The abuse pre-screen, on at its default threshold, holds the worst as they arrive.
    policy = ModerationPolicy.current()
    policy.hold_abusive = True
    policy.save()
    for body in ABUSIVE:
        moderation.post_comment(author=rng.choice(others), article=rng.choice(articles), body=body)
    moderation.score_unscored()  # the conversations above were stored directly
    moderation.ban(
        user=troll, moderator=moderator, reason="Repeated abuse of other readers", days=7
    )
    refresh_article_stats(a.pk for a in public)


@transaction.atomic
@ratelimit.lifted()
def seed_engagement(readers, editor, rng: random.Random) -> None:
    """Readers' recommendations on the demo conversations, and a featured comment (once)."""
    if Comment.objects.filter(recommendation_count__gt=0).exists():
        return
    articles = Article.objects.public().order_by("-published_at")[:5]
    candidates = list(
        Comment.objects.visible().filter(article__in=articles).select_related("author")
    )
    voters = [r for r in readers if r.username != "troll"]
    for comment in rng.sample(candidates, min(len(candidates), 12)):
        others = [r for r in voters if r.pk != comment.author_id]
        for reader in rng.sample(others, rng.randint(1, len(others))):
            moderation.recommend(reader=reader, comment=comment)
    best = (
        Comment.objects.visible()
        .filter(article__in=articles)
        .order_by("-recommendation_count", "created_at")
    )
    moderation.feature(comment=best.first(), moderator=editor)
