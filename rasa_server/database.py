"""The tracker store's database: where it is, and an engine for it.

The URL comes from ``TRACKER_DATABASE_URL``, which the product's process
supervisor always sets (``bot.processes.stack.stack_environment``, from the product's
settings), or from a server database's ``DATABASE_URL``. SQLite gets what
the product's own engines get: WAL, a busy timeout, ``secure_delete``, a
pool of open connections, and a file readable by its owner only.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any, Mapping

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import QueuePool

TRACKER_DATABASE_URL = "TRACKER_DATABASE_URL"
_SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


class TrackerDatabaseMissingError(RuntimeError):
    """No tracker database was named."""


def tracker_database_url(env: Mapping[str, str] = os.environ) -> str:
    """``TRACKER_DATABASE_URL``; else ``DATABASE_URL`` when it names a database server (one
    server holds both stores). SQLite allows one writer at a time, so the tracker needs a
    file of its own: with a SQLite ``DATABASE_URL`` the tracker's must be named."""
    url = (env.get(TRACKER_DATABASE_URL) or "").strip()
    shared = (env.get("DATABASE_URL") or "").strip()
    if not url and shared and make_url(shared).get_backend_name() != "sqlite":
        url = shared
    if not url:
        raise TrackerDatabaseMissingError(
            f"{TRACKER_DATABASE_URL} is not set: the Rasa server's tracker store needs it "
            "(make run sets it; e.g. sqlite:///var/tracker.db, or a postgresql:// URL)"
        )
    return url


def _private_sqlite_file(database: Path) -> None:
    """The database's folder 0700 when created, the file 0600 (created empty when missing)."""
    database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    for suffix in _SQLITE_COMPANIONS:
        with contextlib.suppress(FileNotFoundError):
            path = Path(f"{database}{suffix}")
            if path.stat().st_mode & 0o077:
                path.chmod(0o600)


def tracker_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        _private_sqlite_file(Path(parsed.database))
        kwargs.setdefault("poolclass", QueuePool)
        kwargs.setdefault("pool_size", 5)
    # Pooled connections move between worker threads, one thread at a time.
    engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False}, **kwargs)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=15000", "secure_delete=ON"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    return engine
