"""Quick in-process timings of the article page: min and median of N requests per page kind.

    .venv/bin/python bench/minimum.py [--requests 25] [--sizes 1000,5000] [--cache URL]

For measuring one change against another while working; `make bench` gives the full
figures. With no --cache it starts nothing and uses locmem; pass a running Redis
(`redis://127.0.0.1:PORT/0`) for production-shaped cache round trips. Seeds the
bench articles first (bench/seed.py), like `make bench`.
"""

import argparse
import os
import statistics
import sys
import time

from config import ROOT
from report import server_environment


def timings(browser, path: str, requests: int, before=None) -> str:
    browser.get(path)  # template loaders, connections
    times = []
    for _ in range(requests):
        if before:
            before()
        started = time.perf_counter()
        response = browser.get(path)
        times.append((time.perf_counter() - started) * 1000)
    if response.status_code != 200:
        raise SystemExit(f"GET {path}: {response.status_code}")
    return f"min {min(times):6.2f}  median {statistics.median(times):6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=25)
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--cache", default="locmemcache://minimum")
    args = parser.parse_args()
    os.environ.update(server_environment(args.cache))
    os.environ["COMMENTS_RATE_LIMIT"] = str(10 * args.requests + 100)
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.management import call_command
    from inprocess import Changes, client, forget_everything, log_in

    from bench import seed

    call_command("collectstatic", interactive=False, verbosity=0)
    for size in [int(n) for n in args.sizes.split(",")]:
        article, readers = seed.seed(size=size, stdout=open(os.devnull, "w"))  # noqa: SIM115
        path = article.get_absolute_url()
        changes = Changes(article, readers[1:])
        try:
            after = timings(client(), path, args.requests, changes)
        finally:
            changes.undo()
        print(f"{size:>5} anonymous, after a change  {after}")
        cold = timings(client(), path, args.requests, forget_everything)
        print(f"{size:>5} anonymous, cold            {cold}")
        cold = timings(log_in(readers[0]), path, args.requests, forget_everything)
        print(f"{size:>5} logged in, cold            {cold}")
        print(
            f"{size:>5} logged in, warm            {timings(log_in(readers[0]), path, args.requests)}"
        )


if __name__ == "__main__":
    main()
