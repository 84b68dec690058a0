"""Seed the benchmark conversation: `python bench/seed.py [--reset]`.

One dedicated article ("bench-conversation") with 1,000 comments from 50
bench readers (e-mail confirmed), in realistic threads: about a third top-level, replies down to
the maximum depth (and past it, where they join their parent's level), bodies
of a few hundred characters, a few edited, deleted, removed or held comments,
timestamps spread over three days. Comments are written through the model,
then `refresh_article_stats`, as the site itself does.

Idempotent: when the article already holds exactly this conversation and is
still recent enough to take comments, nothing changes. Otherwise (first run,
comments posted by a previous benchmark, an article gone stale) its comments
are replaced. Bench accounts have unusable passwords; the runner logs one in
by creating a session.
"""

import argparse
import os
import random
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ARTICLE_SLUG = "bench-conversation"  # the 1,000-comment article; others get "-<size>"
SIZES = (100, 1000, 5000)
READER_PREFIX = "bench-reader-"
EDITOR_USERNAME = "bench-editor"
COMMENTS = 1000
READERS = 50
SPREAD = timedelta(days=3)
# Reseed once the article is this old, well before comments close on it.
MAX_AGE = timedelta(days=7)

FIRST_NAMES = [
    "Ada", "Ben", "Cleo", "Dev", "Edith", "Farid", "Gwen", "Hugo", "Ines", "Jonah",
    "Kemi", "Luca", "Maya", "Niall", "Olu", "Pia", "Quinn", "Rosa", "Sami", "Tess",
    "Umar", "Vera", "Wes", "Xia", "Yusuf",
]  # fmt: skip
LAST_NAMES = ["Abbott", "Byrne", "Chen", "Doyle", "Evans", "Fofana", "Gill", "Haas", "Iqbal"]

OPENINGS = [
    "I read this twice and I'm still not sure the numbers add up.",
    "Thanks for covering this, the local paper barely mentioned it.",
    "As someone who has lived on the estate for twenty years, this rings true.",
    "I think the piece is fair, but it leaves out the people most affected.",
    "Honestly, I expected this to be another puff piece and it isn't.",
    "This is the third plan in a decade and each one has cost more.",
    "My daughter's school is in the catchment area, so this matters to us.",
    "Worth remembering that the consultation closed before the survey came out.",
]
SENTENCES = [
    "The council's own figures show a different picture from the one in the press release.",
    "We were told the work would take six months and it has now been two years.",
    "Nobody disputes that something has to change, the question is who pays for it.",
    "I went to the drop-in session and the staff could not answer basic questions.",
    "The comparison with the scheme up north is misleading because the funding was different.",
    "If the timetable slips again, the contractors will be the only winners.",
    "My neighbours are split roughly down the middle on this one.",
    "It would help if the article linked to the full report rather than the summary.",
    "There is a real risk that the smaller businesses on the high street close first.",
    "On balance I support it, though I would have phased it differently.",
    "The maintenance budget is the part nobody wants to talk about.",
    "I'd like to see the same scrutiny applied to the alternatives.",
    "Public transport in the evenings is the missing piece in all of this.",
    "Several of the objections raised at the meeting were never answered.",
    "People forget that the original proposal was far more ambitious.",
    "This affects renters very differently from owners, and that deserves a paragraph.",
]
REPLIES = [
    "I see your point, but the figures you quote are from before the revision.",
    "Do you have a source for that? I couldn't find it in the report.",
    "Agreed. That was exactly the mood in our street.",
    "That's not quite right: the second phase was approved separately.",
    "Fair enough, I hadn't considered the effect on the evening buses.",
    "We had the same argument in our town and it went the other way.",
]
LINKS = ["https://example.org/report.pdf", "https://www.example.com/consultation/2025"]


def comment_body(rng: random.Random, *, reply: bool = False) -> str:
    """A few hundred characters of plausible reader text, sometimes two paragraphs or a link."""
    first = rng.choice(REPLIES if reply and rng.random() < 0.6 else OPENINGS)
    sentences = [first, *rng.sample(SENTENCES, rng.randint(2, 5))]
    if rng.random() < 0.05:
        sentences.append(f"The details are here: {rng.choice(LINKS)}")
    if len(sentences) > 3 and rng.random() < 0.3:
        split = rng.randint(2, len(sentences) - 1)
        return " ".join(sentences[:split]) + "\n\n" + " ".join(sentences[split:])
    return " ".join(sentences)


def _accounts():
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    User = get_user_model()

    def account(username, first, last, *, staff=False):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "is_staff": staff},
        )
        if created:  # nobody can log in with a password
            user.set_unusable_password()
            user.save(update_fields=["password"])
        if user.email_confirmed_at is None:
            # Confirmed, as most readers are: their comments go through the whole
            # posting path (counts, reply notifications), not the unconfirmed hold.
            user.email_confirmed_at = timezone.now()
            user.save(update_fields=["email_confirmed_at"])
        return user

    editor = account(EDITOR_USERNAME, "Bench", "Editor", staff=True)
    readers = [
        account(
            f"{READER_PREFIX}{i + 1:02d}",
            FIRST_NAMES[i % len(FIRST_NAMES)],
            LAST_NAMES[i % len(LAST_NAMES)],
        )
        for i in range(READERS)
    ]
    return editor, readers


def slug_for(size: int) -> str:
    return ARTICLE_SLUG if size == COMMENTS else f"{ARTICLE_SLUG}-{size}"


def _article(editor, now, size):
    from articles.models import Article, Section

    section, _ = Section.objects.get_or_create(slug="news", defaults={"name": "News"})
    rng = random.Random(7)
    body = "\n\n".join(" ".join(rng.sample(SENTENCES, 4)) for _ in range(6))
    article, _ = Article.objects.get_or_create(
        slug=slug_for(size),
        defaults={
            "title": "Benchmark: the conversation under a busy article",
            "section": section,
            "standfirst": f"A seeded article with {size:,} reader comments, for bench/run.py.",
            "body": body,
            "status": Article.Status.PUBLISHED,
            "published_at": now - SPREAD - timedelta(hours=1),
        },
    )
    article.authors.set([editor])
    return article


def _conversation(article, editor, readers, rng: random.Random, size: int) -> None:
    from comments.models import Comment

    start = article.published_at + timedelta(minutes=10)
    times = sorted(start + rng.random() * SPREAD for _ in range(size))
    threads = []
    for when in times:
        author = editor if rng.random() < 0.01 else rng.choice(readers)
        top_level = not threads or rng.random() < 1 / 3
        comment = Comment(
            article=article,
            author=author,
            body=comment_body(rng, reply=not top_level),
            created_at=when,
        )
        if top_level:
            threads.append([comment])
        else:
            # Conversations happen in recent threads, mostly answering the latest reply.
            thread = rng.choice(threads[-10:]) if rng.random() < 0.75 else rng.choice(threads)
            parent = thread[-1] if rng.random() < 0.55 else rng.choice(thread)
            comment.place_under(parent)
            thread.append(comment)
        roll = rng.random()
        if roll < 0.015:
            comment.status = Comment.Status.DELETED
        elif roll < 0.025:
            comment.status = Comment.Status.HIDDEN
            comment.hidden_reason = Comment.HideReason.OFF_TOPIC
        elif roll < 0.03:
            comment.status = Comment.Status.PENDING
        elif roll < 0.08:
            comment.edited_at = when + timedelta(minutes=rng.randint(1, 14))
        comment.save()


def _vacuum() -> None:
    """Clear the rows the delete left dead and refresh the planner's statistics, as
    autovacuum would soon do on a real server: otherwise the first measurements after a
    reseed scan thousands of dead comments (the thread index took 8 ms instead of 1.3)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE comments_comment")


def seed(*, size: int = COMMENTS, reset: bool = False, stdout=sys.stdout):
    """Make sure the bench conversation of `size` comments exists; return (article, readers)."""
    from django.db import transaction
    from django.utils import timezone

    from comments.models import Comment
    from comments.moderation import refresh_article_stats

    now = timezone.now()
    with transaction.atomic():
        editor, readers = _accounts()
        article = _article(editor, now, size)
        comments = Comment.objects.for_article(article)
        fresh = article.published_at > now - MAX_AGE and comments.count() == size
        if not fresh or reset:
            comments.delete()
            article.published_at = now - SPREAD - timedelta(hours=1)
            article.save(update_fields=["published_at", "updated_at"])
            _conversation(article, editor, readers, random.Random(size), size)
            refresh_article_stats([article.pk])
    # Also when nothing was reseeded: every run posts and deletes comments (the changes
    # measured, the posting run), and the dead rows they leave slowed the next run's
    # thread index by a third until autovacuum came round.
    _vacuum()
    if fresh and not reset:
        stdout.write(f"Bench conversation already seeded: {article.get_absolute_url()}\n")
        return article, readers
    article.refresh_from_db()
    depths = Counter(comments.values_list("depth", flat=True))
    statuses = Counter(comments.values_list("status", flat=True))
    stdout.write(
        f"Seeded {comments.count()} comments on {article.get_absolute_url()}: "
        f"{depths[0]} top-level, by depth {dict(sorted(depths.items()))}, "
        f"by status {dict(statuses)}; {article.comment_count} visible.\n"
    )
    return article, readers


def main() -> None:
    import django

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reset", action="store_true", help="reseed even if already seeded")
    parser.add_argument("--size", type=int, action="append", help="comments (default: all sizes)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    django.setup()
    for size in args.size or SIZES:
        seed(size=size, reset=args.reset)


if __name__ == "__main__":
    main()
