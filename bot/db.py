"""Database engine and sessions (SQLAlchemy 1.4, 2.0 style)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.future import create_engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from bot.errors import StoreError


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``. SQLite gets WAL, foreign keys and a busy timeout,
    because the action server and the web app write to it side by side, and a
    pool of open connections (SQLAlchemy 1.4 opens a new one per session by
    default: a file open and three PRAGMAs on every call)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        if parsed.database and parsed.database != ":memory:":
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
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker:
    """Sessions that do not expire objects on commit (they are read after)."""
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


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
