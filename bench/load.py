"""Load from wrk on 127.0.0.1, and timing comment posts over HTTP."""

import random
import re
import shutil
import statistics
import subprocess
import time
from urllib.parse import urlencode, urlsplit

from config import HOST, WORK
from processes import BenchError, request, say

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
