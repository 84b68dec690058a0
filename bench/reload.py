"""Reloading gunicorn under read load: `.venv/bin/python bench/reload.py`.

Starts gunicorn with the project's gunicorn.conf.py (or --config) on 127.0.0.1,
DEBUG off, over the project-local PostgreSQL; GETs `/` from a few threads for
--duration seconds; sends SIGHUP to the master at the --hup times; prints the
requests, failures, requests over 2 s and the longest time without a successful
response. Everything it starts is stopped at the end, on error, on Ctrl-C and
at the time limit.
"""

import argparse
import contextlib
import json
import os
import signal
import time

from processes import ReadLoad, production_like_server, run_bounded, say


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", default="gunicorn.conf.py", help="gunicorn config file")
    parser.add_argument("--duration", type=float, default=20, help="seconds of read load")
    parser.add_argument("--clients", type=int, default=8, help="threads sending GETs")
    parser.add_argument(
        "--hup", type=float, nargs="*", default=[5, 12], help="seconds into the load to HUP at"
    )
    parser.add_argument("--path", default="/")
    parser.add_argument("--time-limit", type=int, default=110)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    with contextlib.ExitStack() as stack:
        gunicorn, port = production_like_server(stack, config=args.config)
        time.sleep(2)  # let every worker boot, as a running server's would have
        with ReadLoad(port, args.path, clients=args.clients) as load:
            for at in args.hup:
                time.sleep(max(0.0, load.started + at - time.monotonic()))
                os.kill(gunicorn.pid, signal.SIGHUP)
                say(f"SIGHUP to the gunicorn master (pid {gunicorn.pid})")
            time.sleep(max(0.0, load.started + args.duration - time.monotonic()))
        result = {"config": args.config, "hups": len(args.hup), **load.summary()}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    run_bounded(main, time_limit=parse_args().time_limit)
