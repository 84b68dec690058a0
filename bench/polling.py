"""Open article pages polling for new comments (comments/live.py): what 1,000 tabs cost.

In-process, the SQL of one poll: unchanged (304), the answer from the cache (200), and
the first and second polls after the conversation changes (the first builds the answer,
every other tab reads it). Under load, on the gunicorn with the shared cache:

- `--tabs` tabs (asyncio tasks in this process), each polling with If-None-Match
  every COMMENTS_LIVE_POLL_SECONDS from a random start, a new connection each time
  (the server closes idle ones after two seconds), for `--tab-seconds`: the requests
  per second they add and the CPU the server's processes spend on them beyond what
  they spend idle (psutil), per poll and as a share of one core;
- the same poll as fast as 16 connections can send it: the server's capacity for polls.
"""

import asyncio
import random
import statistics
import time

from config import HOST
from load import run_wrk
from processes import BenchError, cpu_seconds, request

IDLE_SECONDS = 5


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


async def _tab(port, path, etag, every, until, rng, samples):
    """One open tab: a poll every `every` seconds until `until`, its first at random."""
    next_poll = time.monotonic() + rng.uniform(0, every)
    head = f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nIf-None-Match: {etag}\r\n"
    head += "Accept: application/json\r\nConnection: close\r\n\r\n"
    while next_poll < until:
        await asyncio.sleep(max(0.0, next_poll - time.monotonic()))
        sent = time.monotonic()
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), 10)
            writer.write(head.encode())
            answer = await asyncio.wait_for(reader.read(), 10)
            writer.close()
            status = int(answer.split(b" ", 2)[1])
        except (TimeoutError, OSError, IndexError, ValueError):
            status = 0
        samples.append((time.monotonic() - sent, status))
        next_poll += every


async def _tabs(port, path, etag, *, tabs, every, seconds):
    rng, samples = random.Random(14), []
    until = time.monotonic() + seconds
    await asyncio.gather(*(_tab(port, path, etag, every, until, rng, samples) for _ in range(tabs)))
    return samples


def under_load(args, port: int, pid: int, path: str, *, every: int) -> dict:
    """Tabs polling at their pace, then polls as fast as the server answers them."""
    status, headers, _ = request(port, "GET", path)
    if status != 200:
        raise BenchError(f"GET {path}: {status}")
    etag = headers["ETag"]
    # What the idle server spends anyway (workers' heartbeats), taken off the tabs' share.
    before = cpu_seconds(pid)
    time.sleep(IDLE_SECONDS)
    idle = (cpu_seconds(pid) - before) / IDLE_SECONDS
    before, started = cpu_seconds(pid), time.monotonic()
    samples = asyncio.run(
        _tabs(port, path, etag, tabs=args.tabs, every=every, seconds=args.tab_seconds)
    )
    elapsed = time.monotonic() - started
    cpu = max(0.0, cpu_seconds(pid) - before - idle * elapsed)
    latencies = sorted(ms * 1000 for ms, _ in samples) or [0.0]
    # Capacity: 16 connections polling back to back (the anonymous page's wrk settings).
    before = cpu_seconds(pid)
    fast = run_wrk(args, f"http://{HOST}:{port}{path}", [f"If-None-Match: {etag}"], 4)
    fast_cpu = cpu_seconds(pid) - before
    return {
        "tabs": args.tabs,
        "every_s": every,
        "seconds": elapsed,
        "polls": len(samples),
        "added_rps": len(samples) / elapsed,
        "expected_rps": args.tabs / every,
        "p50_ms": statistics.median(latencies),
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "not_304": sum(1 for _, status in samples if status != 304),
        "cpu_ms_per_poll": 1000 * cpu / max(1, len(samples)),
        "cpu_share_of_one_core": cpu / elapsed,
        "idle_cpu_share": idle,
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
            f"{load['not_304']} | {load['capacity_rps']:,.0f} "
            f"({load['capacity_cpu_ms_per_poll']:.2f}, {load['capacity_p99_ms']:.1f}) |",
        ]
    return lines
