"""The benchmark's table and environment, as Markdown and JSON."""

import os
import secrets
import shutil
import subprocess

from config import FLOORS, HOST, ROOT, TARGETS, WORK


def server_environment(cache_url: str) -> dict:
    """A production-shaped server on plain HTTP and the loopback interface."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "newsroom.settings",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "False",
        "SESSION_COOKIE_SECURE": "False",
        "CSRF_COOKIE_SECURE": "False",
        "SECURE_HSTS_SECONDS": "0",
        "CACHE_URL": cache_url,
        "LOG_LEVEL": "WARNING",
    }


def bench_environment(args, cache_url: str) -> dict:
    return {
        **server_environment(cache_url),
        "COMMENTS_RATE_LIMIT": str(10 * (args.posts + 50)),
        "BENCH_FLOOR_DIR": str(FLOORS),
        "GUNICORN_ACCESSLOG": str(WORK / "access.log"),
        "WEB_CONCURRENCY": str(args.workers),
    }


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


def commit() -> str:
    git = shutil.which("git")
    if not git:
        return "unknown"
    out = subprocess.run(
        [git, "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return out.stdout.strip() or "unknown"
