"""Erasure outside our database, through the outbox: what we wrote elsewhere about a visitor goes too.

When a lead is erased, its transaction adds one outbox row for each place
outside the database that still holds the visitor's details:

- ``calendar_scrub``: each calendar event we created for their meetings
  loses its title, description and attendees (the meeting itself stays on
  the AE's calendar, so nobody is stood up; nobody is notified);
- ``slack_redact``: each Slack message we posted about the lead is replaced
  by a line saying it was erased.

The worker delivers them like alerts, with the same retries and backoff, so a
calendar or Slack that is down when the erasure happens gets it later.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, Protocol, Sequence

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.notifications.outbox import DELIVERED, Pending, enqueue, notifications
from calendar_booking.booking import RELEASED
from calendar_booking.errors import CalendarUnavailable
from calendar_booking.tables import bookings

CALENDAR_SCRUB = "calendar_scrub"
SLACK_REDACT = "slack_redact"
ERASURE_KINDS = frozenset({CALENDAR_SCRUB, SLACK_REDACT})
#: The recipients of erasure rows: never an AE's or a team's inbox.
CALENDAR_RECIPIENT = "erasure:calendar"
SLACK_RECIPIENT = "erasure:slack"
ERASED_TITLE = "Meeting"
ERASED_TEXT = "This lead was erased at the visitor's request."


def enqueue_erasure(connection: Connection, lead_id: int, senders: Sequence[str], now: datetime) -> int:
    """Adds, in the erasure's transaction, a row per calendar event and Slack message of the
    lead; returns how many (an erasure repeated adds none twice)."""
    added = 0
    if senders:
        events = connection.execute(
            select(bookings.c.id).where(bookings.c.reference.in_(list(senders)), bookings.c.status != RELEASED)
        ).scalars()
        for booking_id in events:
            added += enqueue(
                connection, kind=CALENDAR_SCRUB, recipient=CALENDAR_RECIPIENT, event_key=str(booking_id),
                subject={"booking_id": booking_id}, lead_id=lead_id, now=now,
            )  # fmt: skip
    posted = connection.execute(
        select(notifications.c.id, notifications.c.delivery).where(
            notifications.c.lead_id == lead_id, notifications.c.status == DELIVERED
        )
    ).all()
    for notification_id, delivery in posted:
        where = delivery or {}
        if where.get("channel") and where.get("ts") and where.get("channel") != "local":
            added += enqueue(
                connection, kind=SLACK_REDACT, recipient=SLACK_RECIPIENT, event_key=str(notification_id),
                subject={"channel": str(where["channel"]), "ts": str(where["ts"])}, lead_id=lead_id, now=now,
            )  # fmt: skip
    return added


class ScrubsEvents(Protocol):
    def scrub_event(self, booking_id: str, title: str = ERASED_TITLE) -> None: ...


class RedactsMessages(Protocol):
    def redact(self, channel: str, ts: str, text: str) -> Dict[str, Any]: ...


class ErasureRetry(Exception):  # noqa: N818 - named for what the worker does with it
    """The outside system did not answer; the row is retried with backoff."""


def deliver_erasure(pending: Pending, calendar: ScrubsEvents, notifier: Any) -> Dict[str, Any]:
    """Carries out one erasure row; returns what was done.

    Raises:
        ErasureRetry: the calendar or Slack did not answer.
    """
    if pending.kind == CALENDAR_SCRUB:
        try:
            calendar.scrub_event(str(pending.subject.get("booking_id") or ""), ERASED_TITLE)
        except CalendarUnavailable as exc:
            raise ErasureRetry(f"calendar: {exc.__class__.__name__}") from exc
        return {"channel": "calendar", "via": "erasure"}
    redact = getattr(notifier, "redact", None)
    if redact is None:  # Slack is not configured any more: nothing of ours can be reached there
        return {"channel": "local", "via": "erasure", "skipped": "slack not configured"}
    return dict(redact(str(pending.subject.get("channel")), str(pending.subject.get("ts")), ERASED_TEXT))
