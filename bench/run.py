"""The comments benchmark: `make bench`, or `.venv/bin/python bench/run.py --help`.

Seeds the bench articles (bench/seed.py: 100, 1,000 and 5,000 comments), measures
each page kind in-process (SQL, bytes, ms, profiles), then serves the site with
gunicorn (DEBUG off, Redis as the shared cache when `redis-server` exists; a second
server with no cache at all for the cold pages) and loads each page with `wrk`
against a floor of the same bytes, then times posting comments with one poster and
with many at once. Everything it starts is stopped at the end, on error, on Ctrl-C
and at the time limit. What each figure means: bench/README.md.
"""

import argparse
import contextlib
import os
import platform
import re
import shutil
import sys
import time
from datetime import datetime

from config import FLOORS, HOST, RESULTS, ROOT, WORK
from inprocess import log_in, measure_article, profiles, walk
from load import Changer, combine, measure, post_comments
from polling import in_process as polls_in_process
from polling import under_load as polls_under_load
from processes import (
    STARTED,
    BenchError,
    background,
    free_port,
    request,
    run_bounded,
    say,
    start_redis,
    wait_until,
)
from report import bench_environment, commit, report, save


def parse_args():
    parser = argparse.ArgumentParser(description="Benchmark the article page and posting.")
    parser.add_argument("--sizes", default="100,1000,5000", help="conversations measured")
    parser.add_argument("--duration", type=int, default=4, help="seconds measured per scenario")
    parser.add_argument(
        "--rounds", type=int, default=2, help="interleaved rounds the duration is split into"
    )
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up per round")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument(
        "--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1, help="gunicorn workers"
    )
    parser.add_argument("--requests", type=int, default=20, help="in-process requests per page")
    parser.add_argument("--posts", type=int, default=100, help="comments posted by one poster")
    parser.add_argument("--posters", type=int, default=50, help="readers posting at once")
    parser.add_argument(
        "--posting-seconds", type=int, default=15, help="how long the posters post at once"
    )
    parser.add_argument("--tabs", type=int, default=1000, help="open tabs polling for comments")
    parser.add_argument("--tab-seconds", type=int, default=40, help="how long the tabs poll")
    parser.add_argument("--cache", choices=["auto", "redis", "locmem"], default="auto")
    parser.add_argument("--time-limit", type=int, default=560, help="stop everything after this")
    parser.add_argument(
        "--only",
        choices=["posting"],
        help="only this part: posting seeds the 1,000-comment article, serves it and posts",
    )
    return parser.parse_args()


SERVERS = {}  # port: the gunicorn master's pid (its CPU is measured for live polling)


def _serve(stack, env, name, path):
    """A gunicorn on a free port with the project's gunicorn.conf.py, minus recycling
    workers every ~2,000 requests (at these rates, a restart every few seconds)."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
    command += ["--bind", f"{HOST}:{port}", "--max-requests", "0", "newsroom.wsgi"]
    server = stack.enter_context(background(name, command, cwd=ROOT, env=env))
    wait_until(
        lambda: request(port, "GET", path, timeout=5)[0] == 200,
        what=name,
        timeout=30,
        process=server,
    )
    SERVERS[port] = server.pid
    return port


def _cookie(browser) -> str:
    from django.conf import settings

    session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={session}"


def _poster(port, path, reader) -> dict:
    """A logged-in reader's cookies and form token, as their browser has them."""
    browser = log_in(reader)
    cookie = _cookie(browser)
    status, headers, body = request(port, "GET", path, headers={"Cookie": cookie})
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    csrf = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", ""))
    if status != 200 or not token or not csrf:
        raise BenchError(f"GET {path} as {reader.username}: no comment form")
    return {"cookie": f"{cookie}; csrftoken={csrf.group(1)}", "token": token.group(1).decode()}


def _pages(args, stack, env, results, articles, readers, middle, port) -> None:
    """Each page kind measured in-process and profiled, then loaded with wrk against its
    floor; then live threads polling."""
    from django.conf import settings
    from django.contrib.auth.models import AnonymousUser

    from comments import threads

    reader = readers[0]  # has comments on every first page, so gets their own controls

    results["articles"] = {}
    results["in_process"] = {}
    for size, article in articles.items():
        page = threads.thread_page(article, AnonymousUser(), page=1)
        results["articles"][size] = {
            "path": article.get_absolute_url(),
            "comments": article.comments.count(),
            "visible": article.comment_count,
            "threads": article.comments.filter(parent=None).count(),
            "threads_on_page": len(page.nodes),
            "comments_on_page": sum(1 for _ in walk(page.nodes)),
        }
        say(f"in-process: {size} comments")
        results["in_process"][size] = measure_article(article, readers, args.requests)
    say("profiling in-process (1,000 comments)")
    results["profiles"] = profiles(middle, readers, args.requests)
    say("live threads: SQL of a poll, in-process")
    results["polling"] = {"in_process": polls_in_process(middle)}

    # Load: a server with the shared cache, and one with none (every request cold).
    served = {}
    cold_env = {**env, "CACHE_URL": "dummycache://"}
    cold_port = _serve(stack, cold_env, "gunicorn-cold", middle.get_absolute_url())
    cookie = [f"Cookie: {_poster(port, middle.get_absolute_url(), reader)['cookie']}"]
    plan = []
    for size, article in articles.items():
        path = article.get_absolute_url()
        anonymous, logged_in = f"anonymous-{size}", f"logged-in-{size}"
        for name, headers in ((anonymous, {}), (logged_in, {"Cookie": cookie[0][8:]})):
            status, _, body = request(port, "GET", path, headers=headers)
            if status != 200:
                raise BenchError(f"GET {path} ({name}): {status}")
            (FLOORS / f"{name}.html").write_bytes(body)
            served[name] = body
        floor_a, floor_l = f"/__bench__/floor/{anonymous}/", f"/__bench__/floor/{logged_in}/"
        changer = Changer(article)
        plan += [
            (size, "anonymous_hit", port, path, [], floor_a, None),
            (size, "anonymous_after_change", port, path, [], floor_a, changer),
            (size, "anonymous_cold", cold_port, path, [], floor_a, None),
            (size, "logged_in_warm", port, path, cookie, floor_l, None),
            (size, "logged_in_cold", cold_port, path, cookie, floor_l, None),
        ]
        if size == 1000 or len(articles) == 1:
            etag = request(port, "GET", path)[1]["ETag"]
            plan.append(
                (size, "conditional_304", port, path, [f"If-None-Match: {etag}"], floor_a, None)
            )
    for name, body in served.items():
        if b"Delete</a>" not in body and name.startswith("logged-in"):
            results["warnings"].append(f"{name}: the page shows no Delete controls.")
    seconds = max(1, round(args.duration / args.rounds))
    results["load"] = {}
    for size, scenario, server, path, headers, floor, changer in plan:
        say(f"load: {size} comments, {scenario}")
        page_rounds, floor_rounds = [], []
        with changer or contextlib.nullcontext():
            for _ in range(args.rounds):  # interleaved with its floor, on the same server
                page_rounds.append(measure(args, server, path, headers, seconds))
                floor_rounds.append(measure(args, server, floor, headers, seconds))
        page = combine(f"{scenario} {size}", path, page_rounds)
        page["floor"] = combine(f"floor for {scenario} {size}", floor, floor_rounds)
        page["fraction"] = page["rps"] / page["floor"]["rps"]
        if changer:
            page["changes"] = changer.changes
        results["load"].setdefault(size, {})[scenario] = page
        expected = {"conditional_304": 304}.get(scenario, 200)
        if scenario == "conditional_304" and page["non_2xx_3xx"]:
            results["warnings"].append(f"{scenario} {size}: some answers were not 304.")
        elif expected == 200 and (page["non_2xx_3xx"] or page["socket_errors"]):
            results["warnings"].append(
                f"{scenario} {size}: {page['non_2xx_3xx']} non-2xx/3xx responses, "
                f"{page['socket_errors']} socket errors."
            )

    time.sleep(2)  # let requests still queued from the last load finish
    say(f"live threads: {args.tabs:,} tabs polling for {args.tab_seconds} s")
    results["polling"]["load"] = polls_under_load(
        args,
        port,
        SERVERS[port],
        results["polling"]["in_process"]["path"],
        every=settings.COMMENTS_LIVE_POLL_SECONDS,
    )
    time.sleep(2)


def _posting(args, port, article, readers) -> dict:
    """One poster, then `--posters` at once, with the CPU each process spent per post."""
    say("posting: one poster, then many at once")
    path = article.get_absolute_url()
    posters = [_poster(port, path, r) for r in readers[: args.posters]]
    cpu = {"gunicorn": SERVERS[port], "runner": os.getpid()}
    if "redis" in STARTED:
        cpu["redis"] = STARTED["redis"]
    if postmaster := _postmaster():
        cpu["postgres"] = postmaster
    return {
        "one": post_comments(args, port, article, posters[:1], posts=args.posts, cpu=cpu),
        "many": post_comments(args, port, article, posters, seconds=args.posting_seconds, cpu=cpu),
    }


def _postmaster() -> int | None:
    """The local PostgreSQL server's pid (newsroom/localdb.py), when the bench uses it."""
    from newsroom import localdb

    pidfile = localdb.data_dir() / "postmaster.pid"
    if os.environ.get("DATABASE_URL") or not pidfile.exists():
        return None
    return int(pidfile.read_text().split()[0])


def main() -> int:
    args = parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench needs wrk: apt-get install wrk")
    sizes = [int(n) for n in args.sizes.split(",")]
    FLOORS.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    for stale in FLOORS.glob("*.html"):
        stale.unlink()
    (WORK / "access.log").unlink(missing_ok=True)
    (WORK / "markers.lua").unlink(missing_ok=True)
    results = {"started": datetime.now().isoformat(timespec="seconds"), "warnings": []}
    load_before = os.getloadavg()
    if load_before[0] > 0.5 * (os.cpu_count() or 1):
        results["warnings"].append(
            f"The machine was already busy (load average {load_before[0]:.1f} on "
            f"{os.cpu_count()} CPUs): absolute figures are low and noisy; fractions less so."
        )
    with contextlib.ExitStack() as stack:
        use_redis = args.cache == "redis" or (args.cache == "auto" and shutil.which("redis-server"))
        if args.cache == "redis" and not shutil.which("redis-server"):
            raise SystemExit("--cache redis needs redis-server: apt-get install redis-server")
        cache_url = start_redis(stack) if use_redis else "locmemcache://bench"
        if not use_redis:
            results["warnings"].append(
                "No redis-server: each gunicorn worker has its own locmem cache."
            )
        env = bench_environment(args, cache_url)
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))

        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        from bench import seed

        if args.only == "posting":
            sizes = [1000]
        articles = {}
        for size in sizes:
            article, readers = seed.seed(size=size)
            articles[size] = article
        call_command("collectstatic", interactive=False, verbosity=0)
        middle = articles[1000] if 1000 in articles else articles[sizes[0]]
        port = _serve(stack, env, "gunicorn", middle.get_absolute_url())
        if args.only != "posting":
            _pages(args, stack, env, results, articles, readers, middle, port)
        results["posting"] = _posting(args, port, middle, readers)
        results["environment"] = {
            "cpus": os.cpu_count(),
            "workers": args.workers,
            "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
            + (" (redis-server on 127.0.0.1)" if use_redis else " (one per worker)"),
            "wrk": f"{args.threads} threads, {args.connections} connections, "
            f"{args.rounds} interleaved rounds of {args.warmup} s warm-up + "
            f"{max(1, round(args.duration / args.rounds))} s",
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
            "python": platform.python_version(),
            "django": django.get_version(),
            "commit": commit(),
        }
    markdown = report(results)
    stamp = results["started"].replace(":", "").replace("-", "")
    save("", stamp, results, markdown)
    return 0


if __name__ == "__main__":
    run_bounded(main, time_limit=parse_args().time_limit)
