"""Open article pages polling for new comments (comments/live.py): what 1,000 tabs cost.

In-process, the SQL of one poll: unchanged (304), the answer from the cache (200), and
the first and second polls after the conversation changes (the first builds the answer,
every other tab reads it). Under load, on the gunicorn with the shared cache:

- `--tabs` connections, each a tab that polls with If-None-Match once every
  COMMENTS_LIVE_POLL_SECONDS on average (wrk's `delay()`), for `--tab-seconds`: the requests per second they add and the CPU
  the server's processes spend on them, per poll and as a share of one core;
- the same poll as fast as 16 connections can send it: the server's capacity for polls.
"""

import shutil
import subprocess

import psutil
from config import HOST, WORK
from load import parse_wrk, run_wrk
from processes import BenchError, request

# Each connection is one tab; wrk's delay() pauses a connection before each request.
TABS_LUA = """
math.randomseed(14)
local every = tonumber(os.getenv("POLL_MS"))
-- wrk keeps script state per thread, not per connection: a uniform pause of mean
-- `every` before each poll (the first included) gives each tab that pace, spread out.
function delay() return math.random(0, 2 * every) end
"""


def _cpu_seconds(pid: int) -> float:
    """User and system CPU of a server: its master and every worker."""
    root = psutil.Process(pid)
    total = 0.0
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def in_process(article) -> dict:
    """SQL queries of single polls, through the test client (same settings and cache)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from articles import page_cache

    browser = Client(HTTP_HOST=HOST)
    path = reverse("comments:live", kwargs={"slug": article.slug})

    def queries(**headers):
        with CaptureQueriesContext(connection) as captured:
            response = browser.get(path, headers=headers)
        return len(captured), response

    etag = browser.get(path)["ETag"]
    unchanged, answer = queries(if_none_match=etag)
    if answer.status_code != 304:
        raise BenchError(f"GET {path} with its ETag: {answer.status_code}, not 304")
    cached, answer = queries()
    page_cache.conversations_changed([article.slug])  # outside a transaction: at once
    first, _ = queries(if_none_match=etag)
    second, answer = queries(if_none_match=etag)
    return {
        "path": path,
        "bytes": len(answer.content),
        "queries_304": unchanged,
        "queries_200_cached": cached,
        "queries_first_after_change": first,
        "queries_second_after_change": second,
    }


def under_load(args, port: int, pid: int, path: str, *, every: int) -> dict:
    """Tabs polling at their pace, then polls as fast as the server answers them."""
    status, headers, _ = request(port, "GET", path)
    if status != 200:
        raise BenchError(f"GET {path}: {status}")
    etag = headers["ETag"]
    script = WORK / "tabs.lua"
    script.write_text(TABS_LUA)
    command = [shutil.which("wrk"), "--latency", "--timeout", "10s", "-s", str(script)]
    command += ["-d", f"{args.tab_seconds}s", "-t", str(args.threads), "-c", str(args.tabs)]
    command += ["-H", f"If-None-Match: {etag}", f"http://{HOST}:{port}{path}"]
    before = _cpu_seconds(pid)
    output = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
        timeout=args.tab_seconds + 30,
        env={"POLL_MS": str(every * 1000), "PATH": "/usr/bin:/bin"},
    ).stdout
    cpu = _cpu_seconds(pid) - before
    tabs = parse_wrk(output)
    # Capacity: 16 connections polling back to back (the anonymous page's wrk settings).
    before = _cpu_seconds(pid)
    fast = run_wrk(args, f"http://{HOST}:{port}{path}", [f"If-None-Match: {etag}"], 4)
    fast_cpu = _cpu_seconds(pid) - before
    return {
        "tabs": args.tabs,
        "every_s": every,
        "seconds": tabs["seconds"],
        "polls": tabs["requests"],
        "added_rps": tabs["rps"],
        "expected_rps": args.tabs / every,
        "p50_ms": tabs["p50_ms"],
        "p99_ms": tabs["p99_ms"],
        "not_304": tabs["non_2xx_3xx"],
        "socket_errors": tabs["socket_errors"],
        "cpu_ms_per_poll": 1000 * cpu / max(1, tabs["requests"]),
        "cpu_share_of_one_core": cpu / tabs["seconds"],
        "capacity_rps": fast["rps"],
        "capacity_cpu_ms_per_poll": 1000 * fast_cpu / max(1, fast["requests"]),
        "capacity_p99_ms": fast["p99_ms"],
    }


def report_lines(results: dict) -> list[str]:
    one, load = results["in_process"], results.get("load")
    lines = [
        "",
        f"## Live threads: open tabs polling `{one['path']}`",
        "",
        f"SQL per poll, in-process: {one['queries_304']} when unchanged (304), "
        f"{one['queries_200_cached']} for the cached answer (200, {one['bytes']:,} bytes); "
        f"after a change {one['queries_first_after_change']} for the first poll (it builds the "
        f"answer) and {one['queries_second_after_change']} for every other tab.",
    ]
    if load:
        lines += [
            "",
            "| tabs | every s | polls | req/s added (expected) | CPU ms/poll | CPU, share of one core "
            "| p50 ms | p99 ms | not 304 | capacity req/s (CPU ms/poll, p99 ms) |",
            "|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
            f"| {load['tabs']:,} | {load['every_s']} | {load['polls']:,} | "
            f"{load['added_rps']:.1f} ({load['expected_rps']:.1f}) | "
            f"{load['cpu_ms_per_poll']:.2f} | {load['cpu_share_of_one_core']:.1%} | "
            f"{load['p50_ms']:.1f} | {load['p99_ms']:.1f} | "
            f"{load['not_304'] + load['socket_errors']} | {load['capacity_rps']:,.0f} "
            f"({load['capacity_cpu_ms_per_poll']:.2f}, {load['capacity_p99_ms']:.1f}) |",
        ]
    return lines
