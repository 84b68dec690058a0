"""Fault injection: `make bench-faults`, or `.venv/bin/python bench/faults.py --help`.

Runs the production shape on 127.0.0.1: two gunicorn instances (the project's
gunicorn.conf.py, DEBUG off) sharing one PostgreSQL (a throwaway cluster under
.data/bench/faults/, never the developer's) and one Redis, under read and post
load, and, phase by phase, stops Redis, freezes it, stops PostgreSQL, reloads
one gunicorn twice and sends stalled uploads. It prints one table: per phase the
requests, their outcome, requests that hung (over 2 s), the longest gap between
successful responses, acknowledged posts and whether each was found afterwards
(lost, duplicated), and what /readyz said during and after the fault.

Bounded in time (--time-limit); everything it starts is stopped, by process
group, at the end, on error, on Ctrl-C and at the time limit.
"""

import argparse
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

from config import HOST, RESULTS, ROOT, WORK
from processes import background, free_port, request, run_bounded, say, wait_until
from report import bench_environment, save

FAULTS = WORK / "faults"
HUNG_SECONDS = 2.0
POST_PREFIX = "fault-bench"


def parse_args():
    parser = argparse.ArgumentParser(description="Fault injection under load.")
    parser.add_argument("--fault-seconds", type=float, default=10, help="how long each fault lasts")
    parser.add_argument("--recovery-seconds", type=float, default=6, help="measured after a fault")
    parser.add_argument("--readers", type=int, default=4, help="reader threads")
    parser.add_argument("--posters", type=int, default=2, help="poster threads (one reader each)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--time-limit", type=int, default=420, help="stop everything after this")
    parser.add_argument("--show-hung", action="store_true", help="list the requests that hung")
    parser.add_argument(
        "--only", nargs="*", default=[], help="run only the phases whose names contain these"
    )
    return parser.parse_args()


# What the load saw ----------------------------------------------------------------------


@dataclass
class Outcome:
    started: float
    finished: float
    status: int  # 0: no answer (refused, reset, timed out)
    kind: str  # "read" or "post"
    port: int = 0


@dataclass
class Record:
    outcomes: list[Outcome] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)  # bodies answered with a redirect
    readiness: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcome: Outcome, body: str | None = None) -> None:
        with self.lock:
            self.outcomes.append(outcome)
            if body is not None:
                self.acknowledged.append((outcome.started, body))


def _timed(port, method, path, **kwargs) -> tuple[int, float, float]:
    started = time.monotonic()
    try:
        status = request(port, method, path, timeout=10, **kwargs)[0]
    except OSError:
        status = 0
    return status, started, time.monotonic()


def reader_loop(ports, paths, record: Record, stop: threading.Event, offset: int) -> None:
    n = offset
    while not stop.is_set():
        port, path = ports[n % len(ports)], paths[n % len(paths)]
        status, started, finished = _timed(port, "GET", path)
        record.add(Outcome(started, finished, status, "read", port))
        n += 1


def poster_loop(ports, article_pk, cookie, token, record, stop, offset: int) -> None:
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    n = offset
    while not stop.is_set():
        body = f"{POST_PREFIX} {uuid.uuid4().hex}"
        form = urlencode({"csrfmiddlewaretoken": token, "body": body, "parent": ""})
        port = ports[n % len(ports)]
        status, started, finished = _timed(
            port, "POST", f"/comments/post/{article_pk}/", headers=headers, body=form
        )
        outcome = Outcome(started, finished, status, "post", port)
        record.add(outcome, body if status == 302 else None)
        n += 1
        stop.wait(0.25)  # a busy article, not a flood: flood control is not the subject


def readiness_loop(ports, record: Record, stop: threading.Event) -> None:
    """Both instances' /readyz every half second: 200 only when both are ready, else the
    failing status and which checks failed (e.g. "503 cache")."""
    while not stop.is_set():
        verdict = "200"
        for port in ports:
            try:
                status, _, body = request(port, "GET", "/readyz", timeout=10)
            except OSError:
                status, body = 0, b"{}"
            if status != 200:
                checks = json.loads(body or b"{}").get("checks", {})
                failed = sorted(name for name, c in checks.items() if c["status"] == "failed")
                verdict = " ".join([str(status), *failed])
        with record.lock:
            record.readiness.append((time.monotonic(), verdict))
        stop.wait(0.5)


# The services -----------------------------------------------------------------------------


class Redis:
    """A redis-server on a fixed port that can be stopped, restarted, frozen and thawed."""

    def __init__(self, port: int):
        self.port = port
        self.process = None

    def start(self):
        command = ["redis-server", "--bind", HOST, "--port", str(self.port)]
        command += ["--save", "", "--appendonly", "no", "--dir", str(FAULTS)]
        log = (FAULTS / "redis.log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=log, start_new_session=True)
        wait_until(self._pong, what="redis-server", timeout=10, process=self.process)
        say(f"redis-server up (pid {self.process.pid})")

    def _pong(self):
        with socket.create_connection((HOST, self.port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    def signal(self, signum):
        os.killpg(self.process.pid, signum)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGCONT)
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            say(f"redis-server stopped (pid {self.process.pid})")


def postgres(command: str, pgdata: Path) -> None:
    """Start or stop the throwaway cluster through the project's own helper."""
    env = {**os.environ, "NEWSROOM_LOCALDB_DIR": str(pgdata)}
    subprocess.run(
        [sys.executable, "-m", "newsroom.localdb", command],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    say(f"postgres {command}")


@contextlib.contextmanager
def stalled_uploads(ports, count: int):
    """Clients that start a large multipart upload and then send nothing more."""
    sockets = []
    try:
        for n in range(count):
            sock = socket.create_connection((HOST, ports[n % len(ports)]), timeout=5)
            sock.sendall(
                b"POST /accounts/settings/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: multipart/form-data; boundary=xyz\r\n"
                b"Content-Length: 10000000\r\n\r\n--xyz\r\n"
            )
            sockets.append(sock)
        yield
    finally:
        for sock in sockets:
            sock.close()


# Phases -----------------------------------------------------------------------------------


def _sleep(seconds):
    time.sleep(seconds)


def run_phases(args, *, redis: Redis, pgdata: Path, gunicorns, ports) -> list[dict]:
    fault = args.fault_seconds
    phases = []

    def phase(name, inject, undo, *, during=None):
        if args.only and not any(part.lower() in name.lower() for part in args.only):
            return
        say(f"phase: {name}")
        start = time.monotonic()
        inject()
        if during is not None:
            during()
        else:
            _sleep(fault)
        undone = time.monotonic()
        undo()
        _sleep(args.recovery_seconds)
        phases.append({"name": name, "start": start, "undone": undone, "end": time.monotonic()})

    nothing = lambda: None  # noqa: E731

    phase("baseline", nothing, nothing)
    phase("Redis stopped", redis.stop, redis.start)
    phase(
        "Redis frozen (SIGSTOP)",
        lambda: redis.signal(signal.SIGSTOP),
        lambda: redis.signal(signal.SIGCONT),
    )
    phase("PostgreSQL stopped", lambda: postgres("stop", pgdata), lambda: postgres("start", pgdata))

    def two_reloads():
        for _ in range(2):
            os.kill(gunicorns[0].pid, signal.SIGHUP)
            _sleep(fault / 2)

    phase("gunicorn A reloaded twice (HUP)", nothing, nothing, during=two_reloads)
    uploads = contextlib.ExitStack()
    phase(
        "20 stalled uploads",
        lambda: uploads.enter_context(stalled_uploads(ports, 20)),
        uploads.close,
    )
    return phases


def summarise(phases, record: Record, found: Counter) -> list[dict]:
    rows = []
    acknowledged = sorted(record.acknowledged)
    for phase in phases:
        inside = [o for o in record.outcomes if phase["start"] <= o.started < phase["end"]]
        ok_times = sorted(o.finished for o in inside if 200 <= o.status < 400)
        edges = [phase["start"], *ok_times, phase["end"]]
        gap = max(b - a for a, b in zip(edges, edges[1:], strict=False))
        acked = [body for at, body in acknowledged if phase["start"] <= at < phase["end"]]
        during = {s for t, s in record.readiness if phase["start"] <= t < phase["undone"]}
        after = [s for t, s in record.readiness if phase["undone"] <= t < phase["end"]]
        rows.append(
            {
                "phase": phase["name"],
                "requests": len(inside),
                "2xx/3xx": sum(200 <= o.status < 400 for o in inside),
                "4xx": sum(400 <= o.status < 500 for o in inside),
                "5xx": sum(o.status >= 500 for o in inside),
                "503": sum(o.status == 503 for o in inside),
                "no answer": sum(o.status == 0 for o in inside),
                "hung >2 s": sum(o.finished - o.started > HUNG_SECONDS for o in inside),
                "longest gap s": round(gap, 2),
                "posts acked": len(acked),
                "found": sum(1 for body in acked if found[body] >= 1),
                "lost": sum(1 for body in acked if found[body] == 0),
                "duplicated": sum(1 for body in acked if found[body] > 1),
                "ready during": " / ".join(sorted(during)) or "-",
                "ready after": after[-1] if after else "-",
            }
        )
    return rows


def table(rows) -> str:
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines) + "\n"


# Set-up -----------------------------------------------------------------------------------


def database_url(db: dict) -> str:
    """A DATABASE_URL for the cluster's Unix socket, so the app never starts it itself."""
    query = urlencode({"host": db["HOST"], "port": db["PORT"], "user": db["USER"]})
    return f"postgres:///{db['NAME']}?{query}"


def prepare(pgdata: Path):
    """Migrate the throwaway cluster and seed an article and its posting readers."""
    os.environ["NEWSROOM_LOCALDB_DIR"] = str(pgdata)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from articles.models import Article, Section
    from tests.factories import UserFactory

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    section, _ = Section.objects.get_or_create(slug="faults", defaults={"name": "Faults"})
    article, _ = Article.objects.get_or_create(
        slug="fault-bench", defaults={"title": "Fault bench", "section": section, "body": "Text."}
    )
    article.publish()
    sessions = []
    for n in range(4):
        reader = UserFactory(username=f"fault-{uuid.uuid4().hex[:8]}-{n}")
        browser = Client()
        browser.force_login(reader)
        sessions.append(browser.cookies[settings.SESSION_COOKIE_NAME].value)
    db = dict(settings.DATABASES["default"])
    connection.close()
    return article, sessions, db


def count_posts(db: dict) -> Counter:
    import psycopg

    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]
    ) as conn:
        rows = conn.execute(
            "SELECT body, count(*) FROM comments_comment WHERE body LIKE %s GROUP BY body",
            [f"{POST_PREFIX} %"],
        ).fetchall()
    return Counter(dict(rows))


def main() -> int:
    args = parse_args()
    FAULTS.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    pgdata = FAULTS / "postgres"
    redis = Redis(free_port())
    record, stop = Record(), threading.Event()
    threads = []
    with contextlib.ExitStack() as stack:
        stack.callback(redis.stop)
        redis.start()
        # The settings gunicorn runs with (DEBUG off, plain HTTP on loopback), this process too.
        settings = SimpleNamespace(posts=100_000, workers=args.workers)
        env = bench_environment(settings, f"rediscache://{HOST}:{redis.port}/0")
        env["GUNICORN_ACCESSLOG"] = str(FAULTS / "access.log")
        os.environ.update(env)
        article, sessions, db = prepare(pgdata)
        stack.callback(lambda: postgres("stop", pgdata))
        env["DATABASE_URL"] = database_url(db)  # so the app never starts the cluster itself
        csrf = secrets.token_hex(16)  # a valid CSRF secret, sent as cookie and form field
        ports = [free_port(), free_port()]
        gunicorns = []
        for name, port in zip(("gunicorn-a", "gunicorn-b"), ports, strict=True):
            command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
            command += ["--bind", f"{HOST}:{port}", "newsroom.wsgi"]
            process = stack.enter_context(background(name, command, cwd=ROOT, env=env))
            wait_until(
                lambda port=port: request(port, "GET", "/", timeout=5)[0] == 200,
                what=name,
                timeout=60,
                process=process,
            )
            gunicorns.append(process)
        paths = [article.get_absolute_url(), "/"]
        stack.callback(stop.set)
        for n in range(args.readers):
            threads.append(
                threading.Thread(target=reader_loop, args=(ports, paths, record, stop, n))
            )
        for n in range(args.posters):
            cookie = f"sessionid={sessions[n % len(sessions)]}; csrftoken={csrf}"
            target_args = (ports, article.pk, cookie, csrf, record, stop, n)
            threads.append(threading.Thread(target=poster_loop, args=target_args))
        threads.append(threading.Thread(target=readiness_loop, args=(ports, record, stop)))
        for thread in threads:
            thread.daemon = True
            thread.start()
        phases = run_phases(args, redis=redis, pgdata=pgdata, gunicorns=gunicorns, ports=ports)
        stop.set()
        for thread in threads:
            thread.join(timeout=15)
        rows = summarise(phases, record, count_posts(db))
        if args.show_hung:
            for phase in phases:
                for o in record.outcomes:
                    if (
                        phase["start"] <= o.started < phase["end"]
                        and o.finished - o.started > HUNG_SECONDS
                    ):
                        at, took = o.started - phase["start"], o.finished - o.started
                        say(
                            f"hung in {phase['name']}: {o.kind} on :{o.port} at +{at:.2f} s, {took:.2f} s, status {o.status}"
                        )
    markdown = table(rows)
    save("faults-", datetime.now().strftime("%Y%m%dT%H%M%S"), rows, markdown)
    return 0


if __name__ == "__main__":
    run_bounded(main, time_limit=parse_args().time_limit)
