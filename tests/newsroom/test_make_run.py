"""`make run` starts the development server and a task worker, and stopping it stops both:
Ctrl-C in the terminal, or a kill of make (as a process manager or an editor's "stop"
button sends), must not leave a worker or a server behind on the port."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Stands in for .venv/bin/python: records each long-running command's PID, then sleeps
# as the server and the worker would (ignoring SIGINT, as background jobs of a
# non-interactive shell do).
FAKE_PYTHON = """#!/bin/sh
case "$*" in
  *runserver*) echo $$ > "$PIDS/server"; exec sleep 120 ;;
  *db_worker*) echo $$ > "$PIDS/worker"; exec sleep 120 ;;
esac
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = (
        Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}").exists() else ""
    )
    return state != "Z"


def wait_for(predicate, seconds=10.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def make_run(tmp_path):
    venv = tmp_path / "venv"
    venv.mkdir()
    python = venv / "python"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    (venv / ".installed").touch()  # newer than pyproject.toml: nothing to install
    pids = tmp_path / "pids"
    pids.mkdir()
    process = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"VENV={venv}", f"PY={python}", "PORT=8999"],
        cwd=ROOT,
        env={**os.environ, "PIDS": str(pids)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    assert wait_for(lambda: {p.name for p in pids.iterdir()} == {"server", "worker"})
    children = {name: int((pids / name).read_text()) for name in ("server", "worker")}
    yield process, children
    for pid in children.values():  # whatever the test did, leave nothing running
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    if process.poll() is None:
        process.kill()


def test_ctrl_c_stops_the_server_and_the_worker(make_run):
    process, children = make_run
    os.killpg(process.pid, signal.SIGINT)  # what the terminal sends to the foreground job
    assert process.wait(timeout=10) is not None
    assert not any(alive(pid) for pid in children.values())


def test_killing_make_stops_the_server_and_the_worker(make_run):
    process, children = make_run
    process.terminate()  # SIGTERM to make alone
    assert process.wait(timeout=10) is not None
    assert wait_for(lambda: not any(alive(pid) for pid in children.values()))


def test_the_worker_stops_when_the_server_does(make_run):
    process, children = make_run
    os.kill(children["server"], signal.SIGTERM)
    assert process.wait(timeout=10) is not None
    assert not alive(children["worker"])
