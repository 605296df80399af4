"""The durable outbox: every notification is a row, written in the same
database transaction as the event that causes it, and delivered later by
the web app's worker (``bot.notifications.worker``).

A row holds ids, never the message: the worker renders it from the lead and
booking when it sends, so an erased lead's personal data is never sent after
erasure. ``dedupe_key`` is unique per event and recipient, so an event
recorded twice (a retried transaction, a repeated action) notifies once.

Claiming is safe with several workers: on PostgreSQL ``FOR UPDATE SKIP
LOCKED``; on SQLite (one writer) a lease column does the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Dict, List, cast

from sqlalchemy import JSON, Integer, String, Table, and_, func, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from bot.leads.models import Base, UtcDateTime

PENDING, DELIVERED = "pending", "delivered"
#: Backoff after each failed attempt: 5 s, 10 s, 20 s … capped at an hour.
FIRST_RETRY_SECONDS = 5
MAX_RETRY_SECONDS = 3600
#: A claimed row not marked within this time is claimed again (a worker died).
LEASE_SECONDS = 120


class Notification(Base):
    """One message to one recipient about one event."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    recipient: Mapped[str] = mapped_column(String(120), nullable=False)
    lead_id: Mapped[int | None] = mapped_column(Integer, index=True)
    subject: Mapped[Any] = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, index=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(300))
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivery: Mapped[Any] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)


notifications = cast(Table, Notification.__table__)


@dataclass(frozen=True)
class Pending:
    """A claimed notification, for the worker to deliver."""

    id: int
    kind: str
    recipient: str
    lead_id: int | None
    subject: Dict[str, Any]
    attempts: int


def enqueue(
    connection: Connection,
    *,
    kind: str,
    recipient: str,
    event_key: str,
    subject: Dict[str, Any],
    lead_id: int | None,
    now: datetime,
) -> bool:
    """Adds a notification in the caller's transaction; False if this event
    already notified this recipient."""
    key = f"{kind}:{event_key}:{recipient}"[:200]
    try:
        with connection.begin_nested():  # a duplicate rolls back to here; the caller's transaction goes on
            connection.execute(
                insert(notifications).values(
                    dedupe_key=key,
                    kind=kind,
                    recipient=recipient,
                    lead_id=lead_id,
                    subject=subject,
                    status=PENDING,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    except IntegrityError:
        return False
    return True


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** max(0, attempts - 1)))


class Outbox:
    """Claims due notifications and records each attempt."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def claim(self, now: datetime, limit: int = 20) -> List[Pending]:
        due = and_(
            notifications.c.status == PENDING,
            notifications.c.next_attempt_at <= now,
            or_(notifications.c.claimed_until.is_(None), notifications.c.claimed_until < now),
        )
        query = select(notifications).where(due).order_by(notifications.c.id).limit(limit)
        if self._engine.dialect.name != "postgresql":  # look before taking SQLite's one write lock
            with self._engine.connect() as connection:
                if connection.execute(select(notifications.c.id).where(due).limit(1)).first() is None:
                    return []
        with self._engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            else:  # SQLite: take the write lock first, so two workers never read the same rows
                connection.execute(update(notifications).where(notifications.c.id == -1).values(attempts=0))
            rows = connection.execute(query).all()
            if rows:
                connection.execute(
                    update(notifications)
                    .where(notifications.c.id.in_([r.id for r in rows]))
                    .values(claimed_until=now + timedelta(seconds=LEASE_SECONDS))
                )
        return [as_pending(dict(r._mapping)) for r in rows]

    def delivered(self, notification_id: int, now: datetime, delivery: Dict[str, Any] | None = None) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(notifications)
                .where(notifications.c.id == notification_id)
                .values(
                    status=DELIVERED,
                    delivered_at=now,
                    delivery=delivery,
                    claimed_until=None,
                    attempts=notifications.c.attempts + 1,
                    last_error=None,
                )
            )

    def failed(self, notification_id: int, now: datetime, error: str, attempts: int) -> None:
        """Records a failed attempt; the row is retried after the backoff."""
        with self._engine.begin() as connection:
            connection.execute(
                update(notifications)
                .where(notifications.c.id == notification_id)
                .values(
                    attempts=attempts + 1,
                    last_error=error[:300],
                    claimed_until=None,
                    next_attempt_at=now + backoff(attempts + 1),
                )
            )

    def counts(self) -> Dict[str, int]:
        """How many notifications are pending and delivered."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(notifications.c.status, func.count()).group_by(notifications.c.status)
            ).all()
        return {status: int(count) for status, count in rows}

    def backlog(self, now: datetime) -> tuple[int, float]:
        """How many alerts are pending, and how old the oldest is (seconds)."""
        with self._engine.connect() as connection:
            pending, oldest = connection.execute(
                select(func.count(), func.min(notifications.c.created_at)).where(notifications.c.status == PENDING)
            ).one()
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=now.tzinfo)
        return int(pending), max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0

    def health(self, now: datetime, stuck_after: timedelta = timedelta(minutes=5)) -> Dict[str, Any]:
        """Whether alerts are flowing: pending rows, and the newest error if the oldest is stuck."""
        pending, oldest_seconds = self.backlog(now)
        stuck = pending > 0 and oldest_seconds > stuck_after.total_seconds()
        result: Dict[str, Any] = {"ok": not stuck, "pending": pending}
        if stuck:
            with self._engine.connect() as connection:
                error = connection.execute(
                    select(notifications.c.last_error)
                    .where(notifications.c.status == PENDING, notifications.c.last_error.isnot(None))
                    .order_by(notifications.c.id.desc())
                    .limit(1)
                ).scalar_one_or_none()
            result["error"] = error or "not delivered yet"
        return result

    def recent(self, recipient: str | None = None, status: str | None = None, limit: int = 50) -> List[Dict[str, Any]]:
        """The latest alerts, newest first (the local inbox); erasure rows are not alerts."""
        query = (
            select(notifications)
            .where(notifications.c.recipient.notlike("erasure:%"))
            .order_by(notifications.c.id.desc())
            .limit(limit)
        )
        if recipient:
            query = query.where(notifications.c.recipient == recipient)
        if status:
            query = query.where(notifications.c.status == status)
        with self._engine.connect() as connection:
            return [dict(r._mapping) for r in connection.execute(query)]


def delivery_via(delivery: Dict[str, Any] | None) -> str | None:
    """How a delivered alert went: ``dm``, ``team`` or ``ops`` (Slack), or ``local``."""
    return (delivery or {}).get("via") or (delivery or {}).get("channel")


def as_pending(row: Dict[str, Any]) -> Pending:
    """A stored notification in the shape the renderer takes."""
    return Pending(
        row["id"], row["kind"], row["recipient"], row["lead_id"], dict(row["subject"] or {}), row["attempts"]
    )
