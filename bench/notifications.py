"""Notification benchmark: `python bench/notifications.py [--replies 300] [--workers 1 2]`.

1. Posting: the time of `post_comment` for a reply (p50, p90), with notifications off
   (NOTIFICATIONS_ENABLED=False) and on (the reply's notification row and its e-mail
   task are written in the same transaction), each over the same number of replies,
   each reply to a different reader's comment so every one notifies.
2. Sending: the replies posted with notifications on left one `email_replies` task per
   reader in the PostgreSQL queue; `manage.py db_worker --batch` processes (one or more
   of them side by side, as separate processes) then work through the queue, each reply
   e-mail being two tasks (compose, then deliver over SMTP) to a local SMTP sink in this
   process that accepts every message. Reported: e-mails per second, from the workers'
   start to the last message received.

Uses the development database (or DATABASE_URL) and its own article and readers
("bench-notify-..."), removed at the start of the next run. Run it under
`flock /tmp/newsroom-load.lock` on a shared machine.
"""

import argparse
import json
import os
import socketserver
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SLUG = "bench-notifications"
PREFIX = "bench-notify-"


class SMTPSink(socketserver.ThreadingTCPServer):
    """Just enough SMTP to take messages and count them."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.received = 0
        self.first_at = self.last_at = 0.0
        self.lock = threading.Lock()


class _SMTPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 sink ESMTP\r\n")
        in_data = False
        for line in self.rfile:
            if in_data:
                if line in (b".\r\n", b".\n"):
                    in_data = False
                    with self.server.lock:
                        self.server.received += 1
                        self.server.last_at = time.perf_counter()
                        self.server.first_at = self.server.first_at or self.server.last_at
                    self.wfile.write(b"250 OK queued\r\n")
                continue
            command = line[:4].upper()
            if command == b"DATA":
                in_data = True
                self.wfile.write(b"354 go ahead\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            elif command == b"EHLO":
                self.wfile.write(b"250-sink\r\n250 8BITMIME\r\n")
            else:
                self.wfile.write(b"250 OK\r\n")


def _percentiles(seconds: list[float]) -> dict:
    ms = sorted(s * 1000 for s in seconds)
    return {
        "p50_ms": round(statistics.median(ms), 2),
        "p90_ms": round(ms[int(len(ms) * 0.9) - 1], 2),
        "n": len(ms),
    }


def _setup(readers_wanted: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from articles.models import Article, Section
    from comments.models import Comment
    from comments.moderation import purge_comments

    User = get_user_model()
    old = Article.objects.filter(slug=SLUG).first()
    if old is not None:
        comments = Comment.objects.for_article(old)
        # Replies first: a comment with replies can't go before them.
        purge_comments(comments=comments.exclude(parent=None))
        purge_comments(comments=comments)
        old.delete()
    DBTaskResult.objects.filter(task_path__startswith="notifications.").delete()
    DBTaskResult.objects.filter(task_path="newsroom.mail.deliver").filter(
        args_kwargs__kwargs__message__to__0__endswith="@bench.invalid"
    ).delete()
    section, _ = Section.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    article = Article.objects.create(
        title="Bench: notifications", slug=SLUG, section=section, standfirst=".", body=".",
        status=Article.Status.PUBLISHED, published_at=timezone.now(),
    )  # fmt: skip
    readers = []
    for n in range(readers_wanted):
        user, created = User.objects.get_or_create(
            username=f"{PREFIX}{n:04d}", defaults={"email": f"{PREFIX}{n:04d}@bench.invalid"}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        readers.append(user)
    return article, readers


def _post_replies(article, authors, replier, *, enabled: bool) -> list[float]:
    from django.test import override_settings

    from comments.moderation import post_comment
    from newsroom import ratelimit

    with ratelimit.lifted():
        parents = [
            post_comment(author=a, article=article, body=f"A comment by {a.username}.")
            for a in authors
        ]
        times = []
        with override_settings(NOTIFICATIONS_ENABLED=enabled):
            for parent in parents:
                started = time.perf_counter()
                post_comment(
                    author=replier, article=article, parent=parent,
                    body=f"A reply to {parent.author.username}, notifications {enabled}.",
                )  # fmt: skip
                times.append(time.perf_counter() - started)
    return times


def _drain(sink: SMTPSink, expected: int, workers: int, env: dict) -> dict:
    start_count = sink.received
    sink.first_at = 0.0
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--batch",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0",
                "--verbosity",
                "0",
            ],
            cwd=ROOT,
            env=env,
        )  # fmt: skip
        for _ in range(workers)
    ]
    try:
        for process in processes:
            process.wait(timeout=600)
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
    sent = sink.received - start_count
    elapsed = (sink.last_at or time.perf_counter()) - started
    steady = sink.last_at - sink.first_at if sent > 1 else 0
    return {
        "workers": workers,
        "emails": sent,
        "expected": expected,
        "seconds_with_startup": round(elapsed, 2),
        "emails_per_second_with_startup": round(sent / elapsed, 1) if elapsed > 0 else None,
        # From the first message to the last: the workers' Django start-up left out.
        "emails_per_second": round((sent - 1) / steady, 1) if steady > 0 else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replies", type=int, default=300, help="replies per case")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()

    sink = SMTPSink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    port = sink.server_address[1]
    os.environ["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    os.environ["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    results = {"when": datetime.now().isoformat(timespec="seconds"), "replies": args.replies}
    n = args.replies
    # One group of readers for the "off" case and one per sending round, so that every
    # reply is the first in its thread (no e-mail window delays it), and the replier.
    article, readers = _setup(n * (1 + len(args.workers)) + 1)
    replier = readers[-1]
    results["posting_notifications_off"] = _percentiles(
        _post_replies(article, readers[:n], replier, enabled=False)
    )
    sending, on = [], []
    for round_number, workers in enumerate(args.workers, start=1):
        group = readers[round_number * n : (round_number + 1) * n]
        on += _post_replies(article, group, replier, enabled=True)
        connection.close()  # the workers are other processes; don't hold a connection open
        sending.append(_drain(sink, n, workers, dict(os.environ)))
    results["posting_notifications_on"] = _percentiles(on)
    results["sending"] = sending
    sink.shutdown()

    print(json.dumps(results, indent=2))
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"notifications-{stamp}.json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
