"""Tables of the booking service and of the local calendar.

They live in their own ``MetaData`` (this package knows nothing about
leads); the project's Alembic migrations create them beside the lead store.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Column, DateTime, Index, Integer, MetaData, String, Table, Text, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

#: Constraint and index names, the same for every table of the project (the
#: lead store's tables use it too), so migrations name things predictably.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Utc(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL
    alike (SQLite keeps no zone; PostgreSQL hands back the session's). A naive
    datetime is refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: One row per host. Booking transactions update it first, which serialises
#: bookings of the same host on every database (a row lock on PostgreSQL, the
#: write lock on SQLite), and it carries the host's round-robin counters.
booking_hosts = Table(
    "booking_hosts",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("month", String(7), nullable=False),
    Column("month_count", Integer, nullable=False, default=0),
    Column("last_booked_at", Utc),
    Column("first_seen_at", Utc, nullable=False),
    Column("version", Integer, nullable=False, default=0),
)

#: Every booking. ``active_start`` equals ``start`` while the booking holds its
#: slot and is NULL once released or cancelled: the unique constraint on
#: (host, active_start) makes two active bookings of one slot impossible.
bookings = Table(
    "bookings",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("host_key", String(64), nullable=False),
    Column("calendar_id", String(320), nullable=False),
    Column("start", Utc, nullable=False),
    Column("end", Utc, nullable=False),
    Column("active_start", Utc),
    Column("host_timezone", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("reference", String(255), nullable=False, index=True),
    Column("attendee_email", String(320)),
    Column("attendee_name", String(200)),
    Column("visitor_timezone", String(64)),
    Column("event_id", String(64), nullable=False),
    Column("title", String(300)),
    Column("description", Text),
    Column("html_link", String(2048)),
    Column("meet_link", String(2048)),
    Column("failure", String(200)),
    Column("replaced_by", String(32)),  # the booking a move or reassignment replaced this one with
    Column("created_at", Utc, nullable=False),
    Column("updated_at", Utc, nullable=False),
    UniqueConstraint("host_key", "active_start", name="uq_bookings_host_active_start"),
    Index("ix_bookings_host_start", "host_key", "start"),
)

#: The local calendar: busy blocks and meetings, per calendar id.
calendar_events = Table(
    "calendar_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("calendar_id", String(320), nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("start", Utc, nullable=False),
    Column("end", Utc, nullable=False),
    Column("title", String(300), nullable=False),
    Column("description", Text),
    Column("attendees", JSON, nullable=False, default=list),
    Column("status", String(16), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("timezone", String(64)),
    Column("created_at", Utc, nullable=False),
    UniqueConstraint("calendar_id", "event_id", name="uq_calendar_events_calendar_event"),
    Index("ix_calendar_events_calendar_start", "calendar_id", "start"),
)
