"""Database engine and sessions (SQLAlchemy 2)."""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from bot.errors import StoreError
from bot.private_files import private_sqlite_file


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``. SQLite gets WAL, foreign keys and a busy timeout,
    because the action server and the web app write to it side by side, and a
    pool of five open connections (not a file open and four PRAGMAs per session).

    A SQLite file is its owner's only (0600, in a 0700 folder), and
    ``secure_delete`` overwrites what is deleted or replaced, so an erased
    visitor's data does not stay in the file's freed pages."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            private_sqlite_file(Path(parsed.database))
            kwargs.setdefault("poolclass", QueuePool)
            kwargs.setdefault("pool_size", 5)
        # Pooled connections move between worker threads, one thread at a time.
        engine = create_engine(url, connect_args={"timeout": 15, "check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=15000")
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker:
    """Sessions that do not expire objects on commit (they are read after)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def unit_of_work(sessions: sessionmaker, what: str) -> Iterator[Session]:
    """One session, committed at the end; a database failure is rolled back
    and raised as StoreError naming ``what`` (e.g. "lead store")."""
    session: Session = sessions()
    try:
        yield session
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        raise StoreError(f"{what} write failed: {exc.__class__.__name__}") from exc
    finally:
        session.close()


def flush_erased_pages(engine: Engine, attempts: int = 5) -> bool:
    """After an erasure: on SQLite, moves every page into the database file and empties the
    write-ahead log (``wal_checkpoint(TRUNCATE)``), so the log's older copies of erased rows
    go too (``secure_delete`` has zeroed them in the pages). A reader in the middle of a
    read can hold the log; then it is tried again. Returns whether the log was emptied.
    PostgreSQL keeps dead rows until VACUUM: see docs/deploy.md."""
    if engine.dialect.name != "sqlite":
        return True
    for attempt in range(attempts):
        with engine.connect() as connection:
            busy, _frames, _moved = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        if not busy:
            return True
        time.sleep(0.05 * (attempt + 1))
    return False


def write_probe(engine: Engine, name: str) -> None:
    """Rewrites the ``health_probes`` row called ``name`` and commits: raises if the store can't be written."""
    now = datetime.now(UTC)
    with engine.begin() as connection:
        updated = connection.execute(text("UPDATE health_probes SET written_at = :now WHERE name = :name"),
                                     {"now": now, "name": name})  # fmt: skip
        if updated.rowcount == 0:
            connection.execute(text("INSERT INTO health_probes (name, written_at) VALUES (:name, :now)"),
                               {"now": now, "name": name})  # fmt: skip
