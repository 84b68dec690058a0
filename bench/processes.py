"""Starting, watching and stopping what the benchmark runs: redis, gunicorn, HTTP."""

import contextlib
import http.client
import itertools
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

import psutil
from config import HOST, ROOT, WORK


class BenchError(Exception):
    pass


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# Processes ---------------------------------------------------------------------------------

STARTED = {}  # name: pid of each process `background` started, for CPU figures


def cpu_seconds(pid: int, *, descendants: bool = True) -> float:
    """User and system CPU of a process and its descendants: those running now, and
    those that have exited and been waited for (a PostgreSQL backend, a gunicorn worker)."""
    root = psutil.Process(pid)
    times = root.cpu_times()
    if not descendants:  # the runner: its children are the servers, counted on their own
        return times.user + times.system
    total = times.user + times.system + times.children_user + times.children_system
    for process in root.children(recursive=True):
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def background(name: str, command: list[str], **kwargs):
    """Run `command` in its own process group; stop that group (and only it) on exit."""
    log = WORK / f"{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
        )
    say(f"started {name} (pid {process.pid}, log {log.relative_to(ROOT)})")
    STARTED[name] = process.pid
    try:
        yield process
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        say(f"stopped {name} (pid {process.pid})")


def wait_until(check, *, what: str, timeout: float, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise BenchError(f"{what}: the process exited with {process.returncode}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            if check():
                return
        time.sleep(0.2)
    raise BenchError(f"{what}: not ready after {timeout} s")


def start_redis(stack) -> str:
    port = free_port()
    command = [shutil.which("redis-server"), "--bind", HOST, "--port", str(port)]
    command += ["--save", "", "--appendonly", "no", "--dir", str(WORK)]
    process = stack.enter_context(background("redis", command))

    def pong():
        with socket.create_connection((HOST, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    wait_until(pong, what="redis-server", timeout=10, process=process)
    return f"redis://{HOST}:{port}/0"


def start_gunicorn(stack, env: dict, *, config: str = "gunicorn.conf.py", extra=()):
    """The project's gunicorn (or `config`) on 127.0.0.1 and a free port: (process, port)."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--config", config]
    command += ["--bind", f"{HOST}:{port}", *extra, "newsroom.wsgi"]
    process = stack.enter_context(background("gunicorn", command, cwd=ROOT, env=env))
    wait_until(
        lambda: request(port, "GET", "/", timeout=5)[0] == 200,
        what="gunicorn",
        timeout=60,
        process=process,
    )
    return process, port


def run_bounded(main, *, time_limit: int) -> None:
    """Run `main()`, whose ExitStack stops what it started, within `time_limit` seconds.

    SIGTERM and the time limit raise inside `main`, so its `finally` blocks run.
    """

    def stop(signum, frame):
        raise SystemExit(128 + signum)

    def out_of_time(signum, frame):
        raise TimeoutError(f"stopped at the time limit ({time_limit} s)")

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(time_limit)
    try:
        sys.exit(main())
    except (BenchError, TimeoutError, subprocess.CalledProcessError) as error:
        sys.exit(f"failed: {error}")
    except KeyboardInterrupt:
        sys.exit("interrupted; everything started has been stopped")


def production_like_server(stack, *, config: str, extra=()):
    """gunicorn with `config`, DEBUG off, over the project-local PostgreSQL (DATABASE_URL
    unset) and a redis-server of its own when there is one: (process, port)."""
    from report import server_environment

    cache_url = start_redis(stack) if shutil.which("redis-server") else "locmemcache://bench"
    env = server_environment(cache_url)
    env.pop("DATABASE_URL", None)
    for command in ("migrate", "collectstatic"):
        manage = [sys.executable, "manage.py", command, "--noinput"]
        subprocess.run(manage, cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    say(f"gunicorn --config {config} {' '.join(extra)} (cache: {cache_url.split(':')[0]})")
    return start_gunicorn(stack, env, config=config, extra=extra)


def request(port, method, path, *, headers=None, body=None, timeout=30):
    """One HTTP request on a fresh connection: (status, headers, body bytes)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


# Load generation ---------------------------------------------------------------------------


class ReadLoad:
    """Threads GETting `path` one request after another until stopped.

    Each finished request is recorded as (sent, done, status), status 0 for a
    timeout or a connection error; `summary()` turns them into figures.
    """

    def __init__(self, port: int, path: str, *, clients: int, timeout: float = 10):
        self.port, self.path, self.timeout = port, path, timeout
        self.samples: list[tuple[float, float, int]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(clients)]

    def _run(self):
        while not self._stop.is_set():
            sent = time.monotonic()
            try:
                status = request(self.port, "GET", self.path, timeout=self.timeout)[0]
            except (OSError, http.client.HTTPException):
                status = 0
            with self._lock:
                self.samples.append((sent, time.monotonic(), status))

    def __enter__(self):
        self.started = time.monotonic()
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopped = time.monotonic()
        self._stop.set()
        for thread in self._threads:
            thread.join(self.timeout + 5)

    def summary(self) -> dict:
        """Requests, failures, hung (over 2 s), the longest gap without a success, latencies."""
        done = [s for s in self.samples if s[1] <= self.stopped]
        ok = sorted(d for _, d, status in done if 200 <= status < 400)
        edges = [self.started, *ok, self.stopped]
        latencies = sorted((d - s) * 1000 for s, d, status in done if 200 <= status < 400)
        cuts = statistics.quantiles(latencies, n=100, method="inclusive") if latencies else []
        gap, gap_from = max((b - a, a) for a, b in itertools.pairwise(edges))
        return {
            "seconds": round(self.stopped - self.started, 1),
            "requests": len(done),
            "failed": sum(1 for *_, status in done if not 200 <= status < 400),
            "hung": sum(1 for s, d, _ in done if d - s > 2),
            "longest_gap_s": round(gap, 2),
            "longest_gap_from_s": round(gap_from - self.started, 2),
            "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
            "p99_ms": round(cuts[98], 1) if cuts else None,
        }
