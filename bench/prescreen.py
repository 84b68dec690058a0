"""The abuse pre-screen, measured: what it costs a post, and how well it judges.

    make bench-prescreen            # migrate, then .venv/bin/python bench/prescreen.py

1. Cost: the score of each comment of the evaluation set, in this process, after
   the model is loaded (as gunicorn's master loads it before forking), p50 and p95;
   then post_comment() end to end with and without the pre-screen, rolled back.
2. Quality: precision and recall for abusive comments at the default threshold
   (prescreen.DEFAULT_THRESHOLD), and what share of each kind of comment it holds, on
   tests/comments/data/abuse_eval.tsv (comments written for the tests, never trained on).
3. The demo: the share of the comments in the database (after `make run`'s seed_demo)
   whose score reaches the threshold.
"""

import csv
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVALUATION = ROOT / "tests" / "comments" / "data" / "abuse_eval.tsv"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def evaluation_set() -> list[dict]:
    with EVALUATION.open(encoding="utf-8") as rows:
        return list(csv.DictReader(rows, delimiter="\t"))


def scoring_cost(texts, rounds=20) -> list[float]:
    from comments.moderation import prescreen

    prescreen.warm()
    timings = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            prescreen.score(text)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def posting_cost(texts, *, screened: bool) -> list[float] | None:
    """post_comment() for each text, in a transaction rolled back at the end."""
    from unittest import mock

    from django.db import transaction

    from accounts.models import User
    from articles.models import Article
    from comments import moderation
    from comments.moderation import prescreen
    from newsroom import ratelimit

    article = next((a for a in Article.objects.public() if a.comments_open), None)
    if article is None:
        return None
    timings = []
    unscreened = mock.patch.object(prescreen, "score", return_value=0.0)
    with transaction.atomic(), ratelimit.lifted():
        author = User.objects.create(username="bench-prescreen-reader")
        if not screened:
            unscreened.start()
        try:
            for index, text in enumerate(texts):
                started = time.perf_counter()
                moderation.post_comment(author=author, article=article, body=f"{text} ({index})")
                timings.append((time.perf_counter() - started) * 1000)
        finally:
            if not screened:
                unscreened.stop()
        transaction.set_rollback(True)
    return timings


def quality(rows, threshold) -> dict:
    from comments.moderation import prescreen

    scores = prescreen.scores([row["text"] for row in rows])
    held, total = {}, {}
    for row, score in zip(rows, scores, strict=True):
        total[row["label"]] = total.get(row["label"], 0) + 1
        held[row["label"]] = held.get(row["label"], 0) + (score >= threshold)
    all_held = sum(held.values())
    return {
        "precision": held["abusive"] / all_held if all_held else 0.0,
        "recall": held["abusive"] / total["abusive"],
        "held": {label: (held[label], total[label]) for label in total},
    }


def demo_share(threshold) -> tuple[int, int]:
    from comments.models import Comment
    from comments.moderation import prescreen

    bodies = list(Comment.objects.live().values_list("body", flat=True))
    scores = prescreen.scores(bodies)
    return sum(score >= threshold for score in scores), len(bodies)


def main() -> None:
    import django

    django.setup()
    from comments.moderation import prescreen

    threshold = prescreen.DEFAULT_THRESHOLD
    rows = evaluation_set()
    texts = [row["text"] for row in rows]

    started = time.perf_counter()
    prescreen.warm()
    print(f"Model loaded in {time.perf_counter() - started:.2f} s (once, before forking)")
    timings = scoring_cost(texts)
    print(
        f"Scoring one comment: p50 {statistics.median(timings):.2f} ms, "
        f"p95 {percentile(timings, 0.95):.2f} ms ({len(timings)} scores)"
    )
    with_screen = posting_cost(texts, screened=True)
    without = posting_cost(texts, screened=False)
    if with_screen and without:
        p50_with, p50_without = statistics.median(with_screen), statistics.median(without)
        print(
            f"post_comment(): p50 {p50_with:.2f} ms with the pre-screen, "
            f"{p50_without:.2f} ms without ({p50_with - p50_without:+.2f} ms)"
        )
    else:
        print("post_comment(): no public article open for comments; run `make run` first")

    result = quality(rows, threshold)
    print(f"\nEvaluation set: {len(rows)} comments, threshold {threshold:.2f}")
    print(f"Abusive: precision {result['precision']:.2f}, recall {result['recall']:.2f}")
    for label, (held, total) in result["held"].items():
        print(f"  held {held:3d} of {total:3d} {label}")

    held, total = demo_share(threshold)
    share = f"{held / total:.1%}" if total else "n/a"
    print(f"\nDemo data: {held} of {total} comments would be held ({share})")


if __name__ == "__main__":
    main()
