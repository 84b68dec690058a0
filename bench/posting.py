"""Where posting a comment spends its CPU, in-process: `.venv/bin/python bench/posting.py`.

Bench readers (bench/seed.py) post to the 1,000-comment bench article through Django's
test client, with DEBUG off and the settings of the environment (CACHE_URL=redis://…
for the shared cache, as `bench/run.py` serves it): three in five are replies, as in
bench/load.py. For `--posts` posts it reports the CPU and wall time of the whole request
and of each step (the functions that do them, timed around each call), the statements
each post sends, and the CPU the PostgreSQL backend spent on them. The posts stay; the
next `bench/run.py` reseeds the article.
"""

import argparse
import collections
import functools
import os
import random
import sys
import time
from pathlib import Path

from report import server_environment

ROOT = Path(__file__).resolve().parent.parent


def _steps() -> list[tuple[object, str, str]]:
    """(owner, attribute, step): each function wrapped where its callers look it up."""
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.db.backends.base.base import BaseDatabaseWrapper

    from accounts.backends import ReaderBackend
    from comments import threads, views
    from comments.forms import CommentForm
    from comments.models import Comment
    from comments.moderation import posting, prescreen, rules

    return [
        (SessionStore, "load", "session"),
        (ReaderBackend, "get_user", "reader (ReaderBackend.get_user)"),
        (views, "get_object_or_404", "article"),
        (CommentForm, "full_clean", "form, with the parent"),
        (views.moderation, "post_comment", "workflow post_comment"),
        (rules, "limit_flood", "– flood limit"),
        (rules, "refuse_if_banned", "– ban"),
        (prescreen, "score", "– pre-screen score"),
        (rules, "evaluate", "– rules"),
        (posting, "_recent_duplicate", "– duplicate check"),
        (Comment, "save", "– INSERT of the comment"),
        (posting.notifications, "reply_posted", "– reply notification"),
        (posting, "_count_change", "– article's count"),
        (BaseDatabaseWrapper, "commit", "– COMMIT"),
        (BaseDatabaseWrapper, "run_and_clear_commit_hooks", "– on commit (versions)"),
        (threads, "locate", "redirect's target (threads.locate)"),
    ]


def _wrap(owner, name: str, step: str, totals) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def timed(*args, **kwargs):
        cpu, wall = time.thread_time(), time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            total = totals[step]
            total[0] += time.thread_time() - cpu
            total[1] += time.perf_counter() - wall

    setattr(owner, name, timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=300, help="posts measured")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.update(server_environment(os.environ.get("CACHE_URL", "locmemcache://bench")))
    os.environ["COMMENTS_RATE_LIMIT"] = str(10 * args.posts)

    import django

    django.setup()
    import psutil
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.inprocess import log_in
    from bench.seed import comment_body, seed
    from comments.models import Comment

    article, readers = seed(size=1000)
    parents = list(Comment.objects.for_article(article).visible().values_list("pk", flat=True))
    browsers = [log_in(reader) for reader in readers[:10]]
    path = f"/comments/post/{article.pk}/"
    rng = random.Random(7)

    def post(n: int) -> None:
        parent = rng.choice(parents) if rng.random() < 0.6 else ""
        body = comment_body(rng, reply=bool(parent)) + f" [profile {time.time()} {n}]"
        response = browsers[n % len(browsers)].post(path, {"body": body, "parent": parent})
        if response.status_code != 302:
            raise SystemExit(f"POST {path}: {response.status_code}")

    for n in range(30):  # connections, caches and the pre-screen's model warm
        post(n)
    queries = []
    for n in range(20):
        with CaptureQueriesContext(connection) as captured:
            post(n)
        queries.append(len(captured))
    steps = _steps()
    totals = collections.defaultdict(lambda: [0.0, 0.0])
    for step in steps:
        _wrap(*step, totals)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = psutil.Process(cursor.fetchone()[0])
    backend_cpu = sum(backend.cpu_times()[:2])
    cpu, wall = time.thread_time(), time.perf_counter()
    for n in range(args.posts):
        post(n)
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    backend_cpu = sum(backend.cpu_times()[:2]) - backend_cpu

    def ms(seconds: float) -> str:
        return f"{seconds * 1000 / args.posts:.2f}"

    print(f"\n{args.posts} posts, {min(queries)}–{max(queries)} statements a post")
    print("\n| step | CPU ms | wall ms |\n|---|--:|--:|")
    print(f"| whole request (test client) | {ms(cpu)} | {ms(wall)} |")
    for _, _, step in steps:
        print(f"| {step} | {ms(totals[step][0])} | {ms(totals[step][1])} |")
    print(f"| PostgreSQL backend (its CPU, all statements) | {ms(backend_cpu)} | |")


if __name__ == "__main__":
    main()
