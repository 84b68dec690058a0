"""Measurements inside one process: SQL query counts, timings and profiles of each page."""

import cProfile
import pstats
import random
import time
from pathlib import Path

from config import HOST, RESULTS, ROOT
from processes import BenchError


def client():
    from django.test import Client

    return Client(HTTP_HOST=HOST)


def log_in(user):
    """A logged-in browser (a session made by the test client)."""
    browser = client()
    browser.force_login(user)
    return browser


def forget_everything() -> None:
    """Nothing cached: the shared cache emptied, and this process's own copies."""
    from django.core.cache import cache

    from newsroom import freshness

    cache.clear()
    freshness.forget_local_copies()


class Changes:
    """Real changes to a conversation, as readers make them: a reply to a thread on the
    first page, by one bench reader after another. `undo()` deletes them again, so the
    seeded conversation stays as it was."""

    def __init__(self, article, readers):
        from django.contrib.auth.models import AnonymousUser

        from comments import threads

        self.article = article
        self.readers = readers
        self.roots = threads.thread_index(article, AnonymousUser()).root_ids
        self.rng = random.Random(11)
        self.posted = []

    def __call__(self) -> None:
        from bench.seed import comment_body
        from comments.models import Comment
        from comments.moderation import post_comment

        parent = Comment.objects.get(pk=self.rng.choice(self.roots))
        comment = post_comment(
            author=self.readers[len(self.posted) % len(self.readers)],
            article=self.article,
            body=comment_body(self.rng, reply=True) + f" [{len(self.posted)}]",
            parent=parent,
        )
        self.posted.append(comment.pk)

    def undo(self) -> None:
        from comments.models import Comment
        from comments.moderation import refresh_article_stats

        Comment.objects.filter(pk__in=self.posted).delete()
        refresh_article_stats([self.article.pk])
        self.posted.clear()


def measure(browser, path: str, requests: int, *, before=None, headers=None) -> dict:
    """One page: its SQL (one request), bytes, whether the anonymous page cache served
    it (X-Page-Cache), and the mean time of `requests` requests, each after `before()`
    (not timed)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = headers or {}
    browser.get(path, headers=headers)  # template loaders, connections
    if before:
        before()
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(path, headers=headers)
    if response.status_code not in (200, 304):
        raise BenchError(f"GET {path}: {response.status_code}")
    sql = [q["sql"] for q in captured.captured_queries]  # now: each request resets the log
    markers = []
    elapsed = 0.0
    for _ in range(requests):
        if before:
            before()
        started = time.perf_counter()
        timed = browser.get(path, headers=headers)
        elapsed += time.perf_counter() - started
        markers.append(timed.get("X-Page-Cache"))
    return {
        "status": response.status_code,
        "queries": len(sql),
        "sql": sql,
        "bytes": len(response.content),
        "ms": round(elapsed * 1000 / requests, 3),
        "requests": requests,
        "page_cache_hits": markers.count("hit"),
        "etag": response.get("ETag"),
    }


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


def profile_page(browser, path: str, requests: int, label: str, *, before=None) -> dict:
    """Profile `requests` GETs (each after `before()`, not profiled); where the time goes."""
    browser.get(path)  # warm: template loaders, connections
    profiler = cProfile.Profile()
    for _ in range(requests):
        if before:
            before()
        profiler.enable()
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


def measure_article(article, readers, requests: int) -> dict:
    """Every page kind of one article, in-process, with the shared cache as the server's."""
    path = article.get_absolute_url()
    anonymous, browser = client(), log_in(readers[0])
    changes = Changes(article, readers[1:])
    forget_everything()
    pages = {
        "anonymous_cold": measure(client(), path, requests, before=forget_everything),
        "anonymous_hit": measure(anonymous, path, requests),
    }
    try:
        pages["anonymous_after_change"] = measure(client(), path, requests, before=changes)
    finally:
        changes.undo()
    pages["logged_in_cold"] = measure(browser, path, requests, before=forget_everything)
    pages["logged_in_warm"] = measure(browser, path, requests)
    etag = measure(anonymous, path, 1)["etag"]
    pages["conditional_304"] = measure(anonymous, path, requests, headers={"If-None-Match": etag})
    return pages


def profiles(article, readers, requests: int) -> dict:
    path = article.get_absolute_url()
    changes = Changes(article, readers[1:])
    try:
        after = profile_page(client(), path, requests, "anonymous-after-change", before=changes)
    finally:
        changes.undo()
    return {
        "anonymous after a change": after,
        "anonymous cold": profile_page(
            client(), path, requests, "anonymous-cold", before=forget_everything
        ),
        "logged in, warm": profile_page(log_in(readers[0]), path, requests, "logged-in"),
        "logged in, cold": profile_page(
            log_in(readers[0]), path, requests, "logged-in-cold", before=forget_everything
        ),
    }


def walk(nodes):
    for node in nodes:
        yield node
        yield from walk(node.children)
