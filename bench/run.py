"""The comments benchmark: `make bench`, or `.venv/bin/python bench/run.py --help`.

Seeds the 1,000-comment bench article (bench/seed.py), serves the site with
gunicorn (DEBUG off, Redis as the shared cache when `redis-server` exists),
measures the article page for anonymous and logged-in readers with `wrk`
against a floor of the same bytes, times posting comments, counts the page's
SQL queries and profiles one page of each kind in-process. Everything it
starts is stopped at the end, on error, on Ctrl-C and at the time limit.
What each figure means: bench/README.md.
"""

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import sys
import time
from datetime import datetime

from config import FLOORS, HOST, RESULTS, ROOT, WORK
from inprocess import (
    client,
    count_queries,
    log_in,
    profile_page,
    time_after_change,
    time_gets,
    walk,
)
from load import combine, measure, post_comments
from processes import (
    BenchError,
    background,
    free_port,
    request,
    run_bounded,
    say,
    start_redis,
    wait_until,
)
from report import bench_environment, commit, report


def parse_args():
    parser = argparse.ArgumentParser(description="Benchmark the article page and posting.")
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per scenario")
    parser.add_argument(
        "--rounds", type=int, default=5, help="interleaved rounds the duration is split into"
    )
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up per round")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections")
    parser.add_argument(
        "--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1, help="gunicorn workers"
    )
    parser.add_argument("--posts", type=int, default=200, help="comments posted, one at a time")
    parser.add_argument(
        "--profile-requests", type=int, default=50, help="requests profiled in-process per page"
    )
    parser.add_argument("--cache", choices=["auto", "redis", "locmem"], default="auto")
    parser.add_argument("--time-limit", type=int, default=170, help="stop everything after this")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench needs wrk: apt-get install wrk")
    FLOORS.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    for stale in FLOORS.glob("*.html"):
        stale.unlink()
    (WORK / "access.log").unlink(missing_ok=True)
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
        from django.contrib.auth.models import AnonymousUser
        from django.core.cache import cache
        from django.core.management import call_command

        from bench import seed
        from comments import threads

        article, readers = seed.seed()
        call_command("collectstatic", interactive=False, verbosity=0)
        path = article.get_absolute_url()
        # The reader who logs in has comments on the page, so gets their own controls too.
        reader = readers[0]
        page = threads.thread_page(article, AnonymousUser(), page=1)
        shown = sum(1 for _ in walk(page.nodes))
        results["article"] = {
            "path": path,
            "comments": article.comments.count(),
            "visible": article.comment_count,
            "threads": article.comments.filter(parent=None).count(),
            "threads_on_page": len(page.nodes),
            "comments_on_page": shown,
            "logged_in_reader": reader.username,
        }

        cache.clear()  # our own cache server (or this process's locmem): start cold
        anonymous = client()
        browser = log_in(reader)
        results["queries"] = {
            "anonymous_cold": count_queries(anonymous, path),
            "anonymous_warm": count_queries(anonymous, path),
            "logged_in_cold_fragments": count_queries(browser, path),
            "logged_in": count_queries(browser, path),
        }
        say("queries: " + ", ".join(f"{k} {v['count']}" for k, v in results["queries"].items()))
        say("profiling in-process")
        results["profiles"] = {
            "anonymous": profile_page(client(), path, args.profile_requests * 4, "anonymous"),
            "logged-in": profile_page(browser, path, args.profile_requests, "logged-in"),
        }
        results["anonymous_after_change_ms"] = time_after_change(
            client(), article, path, args.profile_requests
        )
        session = browser.cookies[settings.SESSION_COOKIE_NAME].value
        csrf = browser.cookies[settings.CSRF_COOKIE_NAME].value
        cookie = f"{settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}={csrf}"

        port = free_port()
        # The project's gunicorn.conf.py, minus recycling workers every ~2,000 requests: at
        # these rates that would restart every worker every few seconds, inside the window.
        command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
        command += ["--bind", f"{HOST}:{port}", "--max-requests", "0", "newsroom.wsgi"]
        gunicorn = stack.enter_context(background("gunicorn", command, cwd=ROOT, env=env))
        wait_until(
            lambda: request(port, "GET", path, timeout=5)[0] == 200,
            what="gunicorn",
            timeout=30,
            process=gunicorn,
        )
        captured = {}
        for name, headers in (("anonymous", {}), ("logged-in", {"Cookie": cookie})):
            status, _, body = request(port, "GET", path, headers=headers)
            if status != 200:
                raise BenchError(f"GET {path} ({name}): {status}")
            (FLOORS / f"{name}.html").write_bytes(body)
            captured[name] = body
            floor_body = request(port, "GET", f"/__bench__/floor/{name}/", headers=headers)[2]
            if floor_body != body:
                raise BenchError(f"the {name} floor does not serve the captured bytes")
        if request(port, "GET", path)[2] != captured["anonymous"]:
            results["warnings"].append("Two anonymous responses differed byte for byte.")
        if b"Delete</a>" not in captured["logged-in"] or b"Reply</a>" not in captured["logged-in"]:
            results["warnings"].append("The logged-in page shows no Reply or Delete controls.")
        results["floor_in_process_ms"] = {
            "anonymous": time_gets(client(), "/__bench__/floor/anonymous/", 200),
            "logged-in": time_gets(browser, "/__bench__/floor/logged-in/", 200),
        }
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', captured["logged-in"])

        cookie_header = [f"Cookie: {cookie}"]
        plan = [
            ("floor_anonymous", "/__bench__/floor/anonymous/", [], "anonymous"),
            ("page_anonymous", path, [], "anonymous"),
            ("floor_logged_in", "/__bench__/floor/logged-in/", cookie_header, "logged-in"),
            ("page_logged_in", path, cookie_header, "logged-in"),
        ]
        # Interleaved rounds, so a busy neighbour on the machine slows floors and pages alike.
        seconds = max(1, round(args.duration / args.rounds))
        rounds = {name: [] for name, *_ in plan}
        for _ in range(args.rounds):
            for name, url, headers, _capture in plan:
                rounds[name].append(measure(args, port, url, headers, seconds))
        results["scenarios"] = {}
        for name, url, _headers, capture in plan:
            result = combine(name, url, rounds[name])
            result["bytes"] = len(captured[capture])
            results["scenarios"][name] = result
            if result["non_2xx_3xx"] or result["socket_errors"]:
                results["warnings"].append(
                    f"{name}: {result['non_2xx_3xx']} non-2xx/3xx responses, "
                    f"{result['socket_errors']} socket errors."
                )

        time.sleep(2)  # let requests still queued from the last load finish
        results["posting"] = post_comments(args, port, article, cookie, token.group(1).decode())
        results["environment"] = {
            "cpus": os.cpu_count(),
            "workers": args.workers,
            "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
            + (" (redis-server on 127.0.0.1)" if use_redis else " (one per worker)"),
            "wrk": f"{args.threads} threads, {args.connections} connections, "
            f"{args.rounds} interleaved rounds of {args.warmup} s warm-up + {seconds} s",
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
            "python": platform.python_version(),
            "django": django.get_version(),
            "commit": commit(),
        }
    markdown = report(results)
    stamp = results["started"].replace(":", "").replace("-", "")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / f"{stamp}.md").write_text(markdown)
    (RESULTS / "latest.md").write_text(markdown)
    print("\n" + markdown)
    say(f"saved bench/results/{stamp}.json and .md (also latest.md)")
    return 0


if __name__ == "__main__":
    run_bounded(main, time_limit=parse_args().time_limit)
