"""Stalled uploads against gunicorn: `.venv/bin/python bench/slow_clients.py`.

Starts gunicorn with the project's gunicorn.conf.py (or --config) on 127.0.0.1,
DEBUG off, over the project-local PostgreSQL, and measures the home page's
latency from a few reader threads twice, --duration seconds each: first quiet,
then while --stalled connections each send the headers of a multipart upload
announcing --length bytes and the first part's headers, then nothing more.
Stalled connections the server closes are opened again at once, so the count
holds for the whole window. The upload carries a CSRF cookie, so Django's CSRF
check reads the body, as it does for every form post with a cookie.
Everything it starts is stopped at the end, on error, on Ctrl-C and at the
time limit.
"""

import argparse
import contextlib
import json
import secrets
import selectors
import socket
import threading
import time

from config import HOST
from processes import ReadLoad, production_like_server, run_bounded, say

BOUNDARY = "bench-stalled-upload"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", default="gunicorn.conf.py", help="gunicorn config file")
    parser.add_argument("--duration", type=float, default=15, help="seconds per phase")
    parser.add_argument("--clients", type=int, default=4, help="reader threads")
    parser.add_argument("--stalled", type=int, default=20, help="stalled uploads held open")
    parser.add_argument("--length", type=int, default=5_000_000, help="announced body bytes")
    parser.add_argument("--upload-path", default="/accounts/login/")
    parser.add_argument("--path", default="/", help="page the readers GET")
    parser.add_argument("--time-limit", type=int, default=110)
    return parser.parse_args()


class StalledUploads:
    """`count` connections that start an upload and stall, reopened when the server closes them."""

    def __init__(self, port: int, path: str, *, count: int, length: int):
        self.port, self.count = port, count
        part = (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="avatar"; filename="photo.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        self.start = (
            f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\n"
            f"Cookie: csrftoken={secrets.token_hex(16)}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
            f"Content-Length: {length}\r\n\r\n"
        ).encode() + part
        self.closed_by_server = 0
        self._stop = threading.Event()
        self._selector = selectors.DefaultSelector()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _open(self):
        sock = socket.create_connection((HOST, self.port), timeout=5)
        sock.sendall(self.start)
        sock.setblocking(False)
        self._selector.register(sock, selectors.EVENT_READ)

    def _run(self):
        while not self._stop.is_set():
            while len(self._selector.get_map()) < self.count and not self._stop.is_set():
                try:
                    self._open()
                except OSError:
                    time.sleep(0.1)
            for key, _ in self._selector.select(timeout=0.2):
                # Readable: an answer (a timeout, an error page) or a close. Either way
                # this upload is over; a new one takes its place.
                self._selector.unregister(key.fileobj)
                key.fileobj.close()
                self.closed_by_server += 1

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(10)
        for key in list(self._selector.get_map().values()):
            key.fileobj.close()
        self._selector.close()


def main() -> int:
    args = parse_args()
    results = {"config": args.config, "stalled": args.stalled}
    with contextlib.ExitStack() as stack:
        _gunicorn, port = production_like_server(stack, config=args.config)
        time.sleep(2)  # let every worker boot
        say(f"quiet: {args.clients} readers for {args.duration:.0f} s")
        with ReadLoad(port, args.path, clients=args.clients) as load:
            time.sleep(args.duration)
        results["quiet"] = load.summary()
        say(f"stalled: the same with {args.stalled} stalled uploads held open")
        with StalledUploads(port, args.upload_path, count=args.stalled, length=args.length) as up:
            time.sleep(1)  # the uploads reach the server first
            with ReadLoad(port, args.path, clients=args.clients) as load:
                time.sleep(args.duration)
        results["stalled_uploads"] = {**load.summary(), "cut_by_server": up.closed_by_server}
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    run_bounded(main, time_limit=parse_args().time_limit)
