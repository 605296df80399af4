"""The local calendar: events and busy blocks kept in our own database.

The embedded default. It is a real, persistent calendar: meetings booked in
the demo stay booked across restarts, and its busy blocks are what
availability is computed from. It sends no invites (there is no mail
server); the visitor gets an ``.ics`` file instead.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime
from typing import Dict, Iterable, List, Sequence

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from calendar_booking.availability import Interval
from calendar_booking.errors import CalendarUnavailable
from calendar_booking.port import Clock, CreatedEvent, EventRequest
from calendar_booking.tables import calendar_events

logger = logging.getLogger(__name__)

CONFIRMED = "confirmed"
CANCELLED = "cancelled"


class LocalCalendar:
    """Implements :class:`~calendar_booking.port.CalendarPort` on our database."""

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def busy(self, calendar_ids: Sequence[str], start: datetime, end: datetime) -> Dict[str, List[Interval]]:
        query = select(calendar_events.c.calendar_id, calendar_events.c.start, calendar_events.c.end).where(
            calendar_events.c.calendar_id.in_(list(calendar_ids)),
            calendar_events.c.status == CONFIRMED,
            calendar_events.c.start < end,
            calendar_events.c.end > start,
        )
        result: Dict[str, List[Interval]] = defaultdict(list)
        try:
            with self._engine.connect() as connection:
                for calendar_id, block_start, block_end in connection.execute(query):
                    result[calendar_id].append(Interval(block_start, block_end))
        except SQLAlchemyError as exc:
            raise CalendarUnavailable(f"local calendar read failed: {exc.__class__.__name__}") from exc
        return {calendar_id: result.get(calendar_id, []) for calendar_id in calendar_ids}

    def create_event(self, request: EventRequest) -> CreatedEvent:
        row = {
            "calendar_id": request.calendar_id,
            "event_id": request.event_id,
            "start": request.start,
            "end": request.end,
            "title": request.title[:300],
            "description": request.description,
            "attendees": [{"email": request.attendee.email, "name": request.attendee.name}],
            "status": CONFIRMED,
            "kind": "meeting",
            "timezone": request.timezone,
            "created_at": self._clock.now(),
        }
        try:
            with self._engine.begin() as connection:
                connection.execute(insert(calendar_events).values(**row))
        except IntegrityError:
            logger.info("local event %s already exists; treating the insert as done", request.event_id)
        except SQLAlchemyError as exc:
            raise CalendarUnavailable(f"local calendar write failed: {exc.__class__.__name__}") from exc
        return CreatedEvent(event_id=request.event_id)

    def cancel_event(self, calendar_id: str, event_id: str) -> None:
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    update(calendar_events)
                    .where(and_(calendar_events.c.calendar_id == calendar_id, calendar_events.c.event_id == event_id))
                    .values(status=CANCELLED)
                )
        except SQLAlchemyError as exc:
            raise CalendarUnavailable(f"local calendar write failed: {exc.__class__.__name__}") from exc

    def scrub_event(self, calendar_id: str, event_id: str, title: str) -> None:
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    update(calendar_events)
                    .where(and_(calendar_events.c.calendar_id == calendar_id, calendar_events.c.event_id == event_id))
                    .values(title=title[:300], description=None, attendees=[])
                )
        except SQLAlchemyError as exc:
            raise CalendarUnavailable(f"local calendar write failed: {exc.__class__.__name__}") from exc

    def add_busy(self, calendar_id: str, blocks: Iterable[Interval], title: str = "Busy", prefix: str = "busy") -> int:
        """Adds busy blocks (a demo team's recurring meetings, an imported
        schedule); blocks already added under the same id are skipped."""
        now = self._clock.now()
        added = 0
        with self._engine.begin() as connection:
            existing = set(
                connection.execute(
                    select(calendar_events.c.event_id).where(calendar_events.c.calendar_id == calendar_id)
                ).scalars()
            )
            for block in blocks:
                event_id = f"{prefix}{int(block.start.timestamp())}"
                if event_id in existing:
                    continue
                existing.add(event_id)
                connection.execute(
                    insert(calendar_events).values(
                        calendar_id=calendar_id, event_id=event_id, start=block.start, end=block.end, title=title,
                        description=None, attendees=[], status=CONFIRMED, kind="busy", timezone=None, created_at=now,
                    )
                )  # fmt: skip
                added += 1
        return added

    def events(self, calendar_id: str, start: datetime, end: datetime) -> List[Dict[str, object]]:
        """The confirmed events of one calendar in [start, end), for people to read."""
        query = (
            select(calendar_events)
            .where(
                calendar_events.c.calendar_id == calendar_id,
                calendar_events.c.status == CONFIRMED,
                calendar_events.c.start < end,
                calendar_events.c.end > start,
            )
            .order_by(calendar_events.c.start)
        )
        with self._engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]
