"""Starting, watching and stopping what the benchmark runs: redis, gunicorn, HTTP."""

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import time

from config import HOST, ROOT, WORK


class BenchError(Exception):
    pass


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# Processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def background(name: str, command: list[str], **kwargs):
    """Run `command` in its own process group; stop that group (and only it) on exit."""
    log = WORK / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
        )
    say(f"started {name} (pid {process.pid}, log {log.relative_to(ROOT)})")
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
