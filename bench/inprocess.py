"""Measurements inside one process: SQL query counts, profiles, timings."""

import cProfile
import pstats
import time
from pathlib import Path

from config import HOST, RESULTS, ROOT
from processes import BenchError


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
    """Anonymous page just after the conversation changed: the page and its thread are
    rebuilt (the article's version is replaced, so neither is found), fragments stay cached."""
    from articles import page_cache

    elapsed = 0.0
    for _ in range(requests):
        # What every comment workflow does once it commits.
        page_cache.articles_changed([article.slug])
        started = time.perf_counter()
        browser.get(path)
        elapsed += time.perf_counter() - started
    return round(elapsed * 1000 / requests, 3)


# Posting -----------------------------------------------------------------------------------


def walk(nodes):
    for node in nodes:
        yield node
        yield from walk(node.children)
