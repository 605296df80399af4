"""The calendar port: what the booking service needs from any calendar.

Two adapters implement it: :class:`~calendar_booking.local.LocalCalendar`
(events in our database, the embedded default) and
:class:`~calendar_booking.google.GoogleCalendar`. Both raise only the errors
of :mod:`calendar_booking.errors`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Dict, List, Protocol, Sequence

from calendar_booking.availability import Interval


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str | None = None


@dataclass(frozen=True)
class EventRequest:
    """A meeting to put on a host's calendar.

    ``event_id`` is derived from the booking id (lowercase hex, valid as a
    Google event id), so a retried insert finds the event it already made.
    """

    calendar_id: str
    event_id: str
    start: datetime
    end: datetime
    timezone: str
    title: str
    description: str
    attendee: Attendee
    organizer_email: str | None = None


@dataclass(frozen=True)
class CreatedEvent:
    """What the calendar made: its id, and links the visitor may use."""

    event_id: str
    html_link: str | None = None
    meet_link: str | None = None
    invites_sent: bool = False


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, aware, in UTC."""


class CalendarPort(Protocol):
    def busy(self, calendar_ids: Sequence[str], start: datetime, end: datetime) -> Dict[str, List[Interval]]:
        """Busy intervals of each calendar between ``start`` and ``end``."""

    def create_event(self, request: EventRequest) -> CreatedEvent:
        """Creates the event; an event with the same id already there counts as created."""

    def cancel_event(self, calendar_id: str, event_id: str) -> None:
        """Cancels the event and tells its attendees; an event already gone is not an error."""

    def scrub_event(self, calendar_id: str, event_id: str, title: str) -> None:
        """Removes the attendee's details from an event we created (erasure): the title
        becomes ``title``, the description and attendees go, nobody is notified; the
        meeting itself stays. An event already gone is not an error."""
