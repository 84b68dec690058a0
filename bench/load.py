"""Load from wrk on 127.0.0.1, and timing comment posts over HTTP."""

import random
import re
import shutil
import statistics
import subprocess
import threading
import time
import uuid
from urllib.parse import urlencode

from config import HOST, WORK
from processes import BenchError, cpu_seconds, request, say

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


# Counts the anonymous page's X-Page-Cache markers, so a run can show that "after a
# change" really missed the page cache. The floor gets the same script (and so the same
# client-side cost); it has no marker.
MARKERS_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) hits = 0; misses = 0 end
function response(status, headers, body)
  local marker = headers["X-Page-Cache"]
  if marker == "hit" then hits = hits + 1 elseif marker == "miss" then misses = misses + 1 end
end
function done(summary, latency, requests)
  local h, m = 0, 0
  for _, t in ipairs(threads) do h = h + t:get("hits"); m = m + t:get("misses") end
  io.write(string.format("page cache: %d hits, %d misses\\n", h, m))
end
"""


def run_wrk(args, url: str, headers: list[str], seconds: int) -> dict:
    script = WORK / "markers.lua"
    if not script.exists():
        script.write_text(MARKERS_LUA)
    command = [shutil.which("wrk"), "--latency", "--timeout", "5s", "-d", f"{seconds}s"]
    command += ["-t", str(args.threads), "-c", str(args.connections), "-s", str(script)]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 20
    ).stdout
    result = parse_wrk(output)
    hits, misses = re.search(r"page cache: (\d+) hits, (\d+) misses", output).groups()
    result["page_cache_hits"], result["page_cache_misses"] = int(hits), int(misses)
    return result


def measure(args, port: int, path: str, headers: list[str], seconds: int) -> dict:
    url = f"http://{HOST}:{port}{path}"
    if args.warmup:  # also lets requests queued by the previous scenario drain
        run_wrk(args, url, headers, args.warmup)
    return run_wrk(args, url, headers, seconds)


class Changer:
    """While running, a comment on the article's first page changes every `every`
    seconds (its row is touched and the conversation's version replaced, as an edit
    does), from this process: the "just after a change" load."""

    def __init__(self, article, every: float = 0.004):
        self.article, self.every = article, every
        self.changes = 0
        self._stop = threading.Event()
        self._thread = None

    def __enter__(self):
        from django.contrib.auth.models import AnonymousUser

        from comments import threads

        self.roots = threads.thread_index(self.article, AnonymousUser()).root_ids
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        from django.db import connection
        from django.utils import timezone

        from articles import page_cache
        from comments.models import Comment

        rng = random.Random(5)
        try:
            while not self._stop.wait(self.every):
                pk = rng.choice(self.roots)
                Comment.objects.filter(pk=pk).update(updated_at=timezone.now())
                page_cache.conversations_changed([self.article.slug])
                self.changes += 1
        finally:
            connection.close()

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=10)


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
        "page_cache_hits": sum(r["page_cache_hits"] for r in rounds),
        "page_cache_misses": sum(r["page_cache_misses"] for r in rounds),
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


def _quantiles(samples: list[float]) -> dict:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p99_ms": round(cuts[98], 2),
        "mean_ms": round(statistics.fmean(samples), 2),
        "max_ms": round(max(samples), 2),
    }


def _post(port, path, poster, rng, parents, tag) -> tuple[int, float]:
    """One comment posted as a browser's form does; (status, ms). `tag` ends its text."""
    from bench.seed import comment_body

    parent = rng.choice(parents) if rng.random() < 0.6 else None
    body = comment_body(rng, reply=bool(parent)) + f" [{tag}]"
    form = {"csrfmiddlewaretoken": poster["token"], "body": body, "parent": parent or ""}
    headers = {"Cookie": poster["cookie"], "Content-Type": "application/x-www-form-urlencoded"}
    started = time.perf_counter()
    status, _, _ = request(port, "POST", path, headers=headers, body=urlencode(form))
    return status, (time.perf_counter() - started) * 1000


def post_comments(
    args, port, article, posters: list[dict], *, seconds=None, posts=None, cpu=None
) -> dict:
    """Comments posted by `posters` at once (each one post after another) for `seconds`,
    or `posts` in all by a single poster; then checked against the database: every
    post answered 302 is stored exactly once (none lost, none duplicated).
    `cpu` ({name: pid}) adds the CPU each process (and its children, but for the
    "runner", this process) spent per post."""
    from comments.models import Comment

    parents = list(Comment.objects.for_article(article).visible().values_list("pk", flat=True))
    path = f"/comments/post/{article.pk}/"
    run = uuid.uuid4().hex[:8]
    results = [[] for _ in posters]  # (tag, status, ms)
    deadline = time.monotonic() + (seconds or 1e9)

    def poster_loop(n, poster):
        rng = random.Random(n)
        i = 0
        while time.monotonic() < deadline and (posts is None or i < posts):
            tag = f"bench {run} {n}-{i}"
            status, ms = _post(port, path, poster, rng, parents, tag)
            results[n].append((tag, status, ms))
            i += 1

    def cpu_now():
        return {
            name: cpu_seconds(pid, descendants=name != "runner")
            for name, pid in (cpu or {}).items()
        }

    cpu_before = cpu_now()
    started = time.monotonic()
    workers = [
        threading.Thread(target=poster_loop, args=(n, p), daemon=True)
        for n, p in enumerate(posters)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=(seconds or 600) + 60)
    wall = time.monotonic() - started
    cpu_spent = {name: seconds - cpu_before[name] for name, seconds in cpu_now().items()}
    done = [row for rows in results for row in rows]
    accepted = [tag for tag, status, _ in done if status == 302]
    if not accepted:
        raise BenchError(f"POST {path}: no post accepted; see {WORK / 'gunicorn.log'}")
    stored = Comment.objects.for_article(article).filter(body__contains=f"[bench {run} ")
    found = {}
    for body in stored.values_list("body", flat=True):
        tag = body.rsplit("[", 1)[1].rstrip("]")
        found[tag] = found.get(tag, 0) + 1
    result = {
        "posters": len(posters),
        "posts": len(done),
        "accepted": len(accepted),
        "refused": len(done) - len(accepted),
        "statuses": sorted({status for _, status, _ in done}),
        "per_second": round(len(accepted) / wall, 1),
        "lost": sum(1 for tag in accepted if tag not in found),
        "duplicated": sum(n - 1 for n in found.values() if n > 1),
        **_quantiles([ms for _, _, ms in done]),
    }
    if cpu_spent:
        # Per request answered, accepted or not: each one went through the whole stack.
        result["cpu_ms_per_post"] = {
            name: round(seconds * 1000 / len(done), 2) for name, seconds in cpu_spent.items()
        }
        result["cpu_cores_busy"] = round(sum(cpu_spent.values()) / wall, 2)
    say(
        f"posting with {len(posters)} at once: {result['accepted']} posts, "
        f"{result['per_second']}/s, p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
        f"{result['lost']} lost, {result['duplicated']} duplicated"
        + (f"; CPU ms a post: {result['cpu_ms_per_post']}" if cpu_spent else "")
    )
    return result
