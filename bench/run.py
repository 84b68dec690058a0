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
import cProfile
import http.client
import json
import os
import platform
import pstats
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / ".data" / "bench"
FLOORS = WORK / "floor"
HOST = "127.0.0.1"

TARGETS = {
    "max_queries": 8,
    "anonymous_fraction": 0.40,
    "logged_in_fraction": 0.10,
    "post_p50_ms": 50.0,
}


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


class BenchError(Exception):
    pass


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# Processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def background(name: str, command: list[str], **kwargs):
    """Run `command` in its own process group; stop that group (and only it) on exit."""
    log = WORK / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
        )
    say(f"started {name} (pid {process.pid}, log {log.relative_to(ROOT)})")
    try:
        yield process
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        say(f"stopped {name} (pid {process.pid})")


def wait_until(check, *, what: str, timeout: float, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise BenchError(f"{what}: the process exited with {process.returncode}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if check():
                return
        time.sleep(0.2)
    raise BenchError(f"{what}: not ready after {timeout} s")


def start_redis(stack) -> str:
    port = free_port()
    command = [shutil.which("redis-server"), "--bind", HOST, "--port", str(port)]
    command += ["--save", "", "--appendonly", "no", "--dir", str(WORK)]
    process = stack.enter_context(background("redis", command))

    def pong():
        with socket.create_connection((HOST, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    wait_until(pong, what="redis-server", timeout=10, process=process)
    return f"redis://{HOST}:{port}/0"


def request(port, method, path, *, headers=None, body=None, timeout=30):
    """One HTTP request on a fresh connection: (status, headers, body bytes)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


# Load generation ---------------------------------------------------------------------------

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> dict:
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "seconds": _ms(re.search(r"requests in ([\d.]+\w+),", output).group(1)) / 1000,
        "non_2xx_3xx": 0,
        "socket_errors": 0,
    }
    for percent in ("50", "75", "90", "99"):
        match = re.search(rf"^\s+{percent}%\s+(\S+)", output, re.MULTILINE)
        result[f"p{percent}_ms"] = _ms(match.group(1))
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        result["non_2xx_3xx"] = int(match.group(1))
    if match := re.search(r"Socket errors: (.*)", output):
        result["socket_errors"] = sum(int(n) for n in re.findall(r"\d+", match.group(1)))
    return result


def run_wrk(args, url: str, headers: list[str], seconds: int) -> dict:
    command = [shutil.which("wrk"), "--latency", "--timeout", "5s", "-d", f"{seconds}s"]
    command += ["-t", str(args.threads), "-c", str(args.connections)]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 20
    ).stdout
    return parse_wrk(output)


def measure(args, port: int, path: str, headers: list[str], seconds: int) -> dict:
    url = f"http://{HOST}:{port}{path}"
    if args.warmup:  # also lets requests queued by the previous scenario drain
        run_wrk(args, url, headers, args.warmup)
    return run_wrk(args, url, headers, seconds)


def combine(name: str, path: str, rounds: list[dict]) -> dict:
    """One scenario over its interleaved rounds: total throughput, worst tail."""
    result = {
        "name": name,
        "path": path,
        "rps": sum(r["requests"] for r in rounds) / sum(r["seconds"] for r in rounds),
        "p50_ms": statistics.median(r["p50_ms"] for r in rounds),
        "p99_ms": max(r["p99_ms"] for r in rounds),
        "non_2xx_3xx": sum(r["non_2xx_3xx"] for r in rounds),
        "socket_errors": sum(r["socket_errors"] for r in rounds),
        "rounds": rounds,
    }
    say(
        f"{name}: {result['rps']:.0f} req/s, p50 {result['p50_ms']:.2f} ms, "
        f"p99 {result['p99_ms']:.2f} ms (rounds: "
        + ", ".join(f"{r['rps']:.0f}" for r in rounds)
        + " req/s)"
    )
    return result


# In-process measurements (same settings, database and cache as the server) -----------------


def bench_environment(args, cache_url: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        # Plain HTTP on the loopback interface.
        "SECURE_SSL_REDIRECT": "False",
        "SESSION_COOKIE_SECURE": "False",
        "CSRF_COOKIE_SECURE": "False",
        "SECURE_HSTS_SECONDS": "0",
        "CACHE_URL": cache_url,
        "COMMENTS_RATE_LIMIT": str(10 * (args.posts + 50)),
        "LOG_LEVEL": "WARNING",
        "BENCH_FLOOR_DIR": str(FLOORS),
        "GUNICORN_ACCESSLOG": str(WORK / "access.log"),
        "WEB_CONCURRENCY": str(args.workers),
    }
    return env


def client():
    from django.test import Client

    return Client(HTTP_HOST=HOST)


def log_in(user):
    """A logged-in browser's cookies and the CSRF token of its comment form."""
    browser = client()
    browser.force_login(user)
    return browser


def count_queries(browser, path: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = browser.get(path)
    if response.status_code != 200:
        raise BenchError(f"GET {path}: {response.status_code}")
    return {"count": len(captured), "sql": [q["sql"] for q in captured.captured_queries]}


def _component(filename: str) -> str:
    """Which part of the stack a profiled function belongs to."""
    path = Path(filename)
    if "site-packages" in path.parts:
        parts = path.parts[path.parts.index("site-packages") + 1 :]
        if parts[0] == "django" and len(parts) > 2:
            return f"django.{parts[1]}"
        return parts[0].removesuffix(".py")
    if filename.startswith(str(ROOT)):
        return "/".join(path.relative_to(ROOT).parts[:1]) + " (ours)"
    if filename.startswith("<") or filename == "~":
        return "built-ins"
    return "python stdlib"


def _where(func) -> str:
    filename, line, name = func
    path = Path(filename)
    if "site-packages" in path.parts:
        filename = "/".join(path.parts[path.parts.index("site-packages") + 1 :])
    elif filename.startswith(str(ROOT)):
        filename = str(path.relative_to(ROOT))
    elif filename == "~":
        return name
    return f"{filename}:{line} {name}"


def profile_page(browser, path: str, requests: int, label: str) -> dict:
    """Time `requests` GETs in-process, then profile as many; summarise where the time goes."""
    browser.get(path)  # warm: fragment and thread caches, template loaders
    started = time.perf_counter()
    for _ in range(requests):
        browser.get(path)
    plain_ms = (time.perf_counter() - started) * 1000 / requests
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        browser.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler)
    text = RESULTS / f"profile-{label}.txt"
    with text.open("w") as out:
        for order in ("tottime", "cumulative"):
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(40)
    profiler.dump_stats(RESULTS / f"profile-{label}.prof")
    per = 1000 / requests
    by_component = {}
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():
        key = _component(filename)
        by_component[key] = by_component.get(key, 0) + tottime * per
    top = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:15]
    cumulative = [
        (func, row)
        for func, row in sorted(stats.stats.items(), key=lambda item: item[1][3], reverse=True)
        if func[0].startswith(str(ROOT)) and ".venv" not in func[0]
    ][:10]
    return {
        "requests": requests,
        "ms_per_request": round(plain_ms, 3),
        "profiled_ms_per_request": round(stats.total_tt * per, 3),
        "by_component_ms": {
            k: round(v, 3) for k, v in sorted(by_component.items(), key=lambda kv: -kv[1])
        },
        "top_self_ms": [
            {"function": _where(f), "calls": row[1] // requests, "self_ms": round(row[2] * per, 3)}
            for f, row in top
        ],
        "top_ours_cumulative_ms": [
            {"function": _where(f), "cumulative_ms": round(row[3] * per, 3)}
            for f, row in cumulative
        ],
        "full_report": str(text.relative_to(ROOT)),
    }


def time_gets(browser, path: str, requests: int) -> float:
    browser.get(path)
    started = time.perf_counter()
    for _ in range(requests):
        browser.get(path)
    return round((time.perf_counter() - started) * 1000 / requests, 3)


def time_after_change(browser, article, path: str, requests: int) -> float:
    """Anonymous page just after the conversation changed: the cached thread is rebuilt."""
    from django.db.models import F

    from articles.models import Article

    elapsed = 0.0
    for _ in range(requests):
        # What every comment workflow does (refresh_article_stats); fragments stay cached.
        Article.objects.filter(pk=article.pk).update(comments_version=F("comments_version") + 1)
        started = time.perf_counter()
        browser.get(path)
        elapsed += time.perf_counter() - started
    return round(elapsed * 1000 / requests, 3)


# Posting -----------------------------------------------------------------------------------


def post_comments(args, port, article, cookie: str, token: str) -> dict:
    """Post comments one at a time as the logged-in reader, as a browser's form would."""
    from bench.seed import comment_body
    from comments.models import Comment

    rng = random.Random(200)
    parents = list(Comment.objects.for_article(article).visible().values_list("pk", flat=True))
    path = f"/comments/post/{article.pk}/"
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    post_ms, total_ms = [], []
    warmup = 5
    for i in range(warmup + args.posts):
        parent = rng.choice(parents) if rng.random() < 0.6 else None
        form = {"csrfmiddlewaretoken": token, "body": comment_body(rng, reply=bool(parent))}
        form["parent"] = parent or ""
        started = time.perf_counter()
        status, response_headers, _ = request(
            port, "POST", path, headers=headers, body=urlencode(form)
        )
        posted = time.perf_counter()
        if status != 302:
            raise BenchError(f"POST {path} answered {status}; see {WORK / 'gunicorn.log'}")
        location = urlsplit(response_headers["Location"])
        target = location.path + (f"?{location.query}" if location.query else "")
        status, _, _ = request(port, "GET", target, headers={"Cookie": cookie})
        if status != 200:
            raise BenchError(f"GET {location.geturl()} after posting answered {status}")
        if i >= warmup:
            post_ms.append((posted - started) * 1000)
            total_ms.append((time.perf_counter() - started) * 1000)
    result = {"posts": args.posts}
    for name, samples in (("post", post_ms), ("post_and_redirect", total_ms)):
        cuts = statistics.quantiles(samples, n=100, method="inclusive")
        result[name] = {
            "p50_ms": round(statistics.median(samples), 2),
            "p99_ms": round(cuts[98], 2),
            "mean_ms": round(statistics.fmean(samples), 2),
            "max_ms": round(max(samples), 2),
        }
    say(
        f"posting: p50 {result['post']['p50_ms']} ms, p99 {result['post']['p99_ms']} ms "
        f"(with the redirect: p50 {result['post_and_redirect']['p50_ms']} ms)"
    )
    return result


# Report ------------------------------------------------------------------------------------


def _mark(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _fraction(overall: float, page: dict, floor: dict) -> str:
    """The overall fraction, and its range over rounds (each page round next to its floor's)."""
    each = [p["rps"] / f["rps"] for p, f in zip(page["rounds"], floor["rounds"], strict=True)]
    return f"{overall:.3f} ({min(each):.3f}–{max(each):.3f})"


def report(results: dict) -> str:
    s = results["scenarios"]
    q = results["queries"]
    post = results["posting"]
    fa = s["page_anonymous"]["rps"] / s["floor_anonymous"]["rps"]
    fl = s["page_logged_in"]["rps"] / s["floor_logged_in"]["rps"]
    results["fractions"] = {"anonymous": round(fa, 4), "logged_in": round(fl, 4)}
    t = TARGETS
    queries = max(q["anonymous_cold"]["count"], q["logged_in"]["count"])
    rows = [
        ("floor: anonymous bytes", s["floor_anonymous"], "1.000", ""),
        (
            "article page, anonymous",
            s["page_anonymous"],
            _fraction(fa, s["page_anonymous"], s["floor_anonymous"]),
            f"≥ {t['anonymous_fraction']:.0%}: {_mark(fa >= t['anonymous_fraction'])}",
        ),
        ("floor: logged-in bytes", s["floor_logged_in"], "1.000", ""),
        (
            "article page, logged in",
            s["page_logged_in"],
            _fraction(fl, s["page_logged_in"], s["floor_logged_in"]),
            f"≥ {t['logged_in_fraction']:.0%}: {_mark(fl >= t['logged_in_fraction'])}",
        ),
    ]
    env = results["environment"]
    lines = [
        f"# Comments benchmark, {results['started']}",
        "",
        f"{env['cpus']} CPUs, gunicorn {env['workers']} sync workers, cache {env['cache']}, "
        f"wrk {env['wrk']}, Python {env['python']}, Django {env['django']}, "
        f"commit {env['commit']}; load average before {env['load_average_before'][0]:.1f}, "
        f"after {env['load_average_after'][0]:.1f}.",
        f"Article: {results['article']['comments']} comments, "
        f"{results['article']['threads']} threads; page 1 shows "
        f"{results['article']['threads_on_page']} threads, "
        f"{results['article']['comments_on_page']} comments.",
        "",
        "| scenario | bytes | req/s | p50 ms | p99 ms | fraction of floor (range over rounds) "
        "| target |",
        "|---|--:|--:|--:|--:|--:|---|",
    ]
    for name, row, fraction, target in rows:
        lines.append(
            f"| {name} | {row['bytes']:,} | {row['rps']:,.0f} | {row['p50_ms']:.2f} | "
            f"{row['p99_ms']:.2f} | {fraction} | {target} |"
        )
    lines.append(
        f"| post a comment (POST → 302), n={post['posts']} | | | {post['post']['p50_ms']:.2f} | "
        f"{post['post']['p99_ms']:.2f} | | p50 < {t['post_p50_ms']:.0f} ms: "
        f"{_mark(post['post']['p50_ms'] < t['post_p50_ms'])} |"
    )
    lines.append(
        f"| post and follow the redirect | | | {post['post_and_redirect']['p50_ms']:.2f} | "
        f"{post['post_and_redirect']['p99_ms']:.2f} | | |"
    )
    lines += [
        "",
        "| SQL queries, article page | count | target |",
        "|---|--:|---|",
        f"| anonymous, thread not cached | {q['anonymous_cold']['count']} | |",
        f"| anonymous, thread cached | {q['anonymous_warm']['count']} | |",
        f"| logged in | {q['logged_in']['count']} | |",
        f"| worst | {queries} | ≤ {t['max_queries']}: {_mark(queries <= t['max_queries'])} |",
        "",
        "In-process, one request at a time (the test client, same database and cache): "
        f"floor {results['floor_in_process_ms']['anonymous']:.2f} ms (anonymous bytes) and "
        f"{results['floor_in_process_ms']['logged-in']:.2f} ms (logged-in bytes), "
        f"anonymous page {results['profiles']['anonymous']['ms_per_request']:.2f} ms, "
        f"anonymous just after a comment changed {results['anonymous_after_change_ms']:.2f} ms, "
        f"logged-in page {results['profiles']['logged-in']['ms_per_request']:.2f} ms.",
    ]
    for label, prof in results["profiles"].items():
        lines += [
            "",
            f"## Profile: {label} article page, in-process "
            f"({prof['ms_per_request']:.2f} ms a request unprofiled, "
            f"{prof['profiled_ms_per_request']:.2f} ms profiled)",
            "",
            "Self time by component, ms per request: "
            + ", ".join(f"{k} {v:.2f}" for k, v in list(prof["by_component_ms"].items())[:8]),
            "",
            "| function | calls/request | self ms/request |",
            "|---|--:|--:|",
        ]
        lines += [
            f"| `{r['function']}` | {r['calls']} | {r['self_ms']:.3f} |"
            for r in prof["top_self_ms"][:10]
        ]
        lines += ["", "Our code, cumulative ms per request:"]
        lines += [
            f"- `{r['function']}`: {r['cumulative_ms']:.2f}"
            for r in prof["top_ours_cumulative_ms"][:6]
        ]
        lines += ["", f"Full report: `{prof['full_report']}`."]
    if results.get("warnings"):
        lines += ["", "Warnings:", *[f"- {w}" for w in results["warnings"]]]
    return "\n".join(lines) + "\n"


# The run -----------------------------------------------------------------------------------


def _stop(signum, frame):
    raise SystemExit(128 + signum)


def _time_limit(signum, frame):
    raise TimeoutError("the benchmark hit its time limit")


def main() -> int:
    args = parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench needs wrk: apt-get install wrk")
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGALRM, _time_limit)
    signal.alarm(args.time_limit)
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
        shown = sum(1 for _ in _walk(page.nodes))
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
            "commit": _commit(),
        }
    markdown = report(results)
    stamp = results["started"].replace(":", "").replace("-", "")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(results, indent=2) + "\n")
    (RESULTS / f"{stamp}.md").write_text(markdown)
    (RESULTS / "latest.md").write_text(markdown)
    print("\n" + markdown)
    say(f"saved bench/results/{stamp}.json and .md (also latest.md)")
    return 0


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.children)


def _commit() -> str:
    git = shutil.which("git")
    if not git:
        return "unknown"
    out = subprocess.run(
        [git, "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return out.stdout.strip() or "unknown"


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (BenchError, TimeoutError, subprocess.CalledProcessError) as error:
        sys.exit(f"bench failed: {error}")
    except KeyboardInterrupt:
        sys.exit("bench interrupted; everything it started has been stopped")
