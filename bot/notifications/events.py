"""What goes into the outbox, and when: each recorded in the transaction of
the event itself.

- a meeting booked, moved or cancelled (``calendar_booking`` calls
  :func:`booking_events` inside its transaction): the AE, and their team;
- a CQL without a meeting: waiting for a manual booking, or declined
  (:func:`enqueue_request`, inside the request's transaction).
"""

from __future__ import annotations

from typing import Callable

from sqlalchemy import select
from sqlalchemy.engine import Connection

from bot.clock import Clock
from bot.leads.models import Conversation, MeetingRequest, RoutingDecision
from bot.notifications.outbox import enqueue
from bot.routing.team import TeamConfig
from calendar_booking.tables import bookings

#: Booking events and the notification kind each becomes.
BOOKING_KINDS = {
    "booked": "meeting_booked",
    "moved": "meeting_moved",
    "cancelled": "meeting_cancelled",
    "reassigned": "meeting_reassigned",
}


def recipients(team: TeamConfig, ae_key: str | None, team_key: str | None) -> list[str]:
    """The AE (a DM) and their team's channel."""
    found = [f"ae:{ae_key}"] if ae_key else []
    if team_key and team.team(team_key) is not None:
        found.append(f"team:{team_key}")
    return found


def _lead_and_team(connection: Connection, sender_id: str) -> tuple[int | None, str | None]:
    lead_id = connection.execute(
        select(Conversation.lead_id).where(Conversation.sender_id == sender_id)
    ).scalar_one_or_none()
    team_key = connection.execute(
        select(RoutingDecision.team)
        .where(RoutingDecision.sender_id == sender_id)
        .order_by(RoutingDecision.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return lead_id, team_key


def booking_events(team: TeamConfig, clock: Clock) -> Callable[[Connection, str, str], None]:
    """The booking service's event hook: writes the AE's and the team's notifications."""

    def record(connection: Connection, event: str, booking_id: str) -> None:
        row = connection.execute(
            select(bookings.c.host_key, bookings.c.reference).where(bookings.c.id == booking_id)
        ).one()
        lead_id, team_key = _lead_and_team(connection, row.reference)
        team_key = team_key or next(iter(team.teams_of(row.host_key)), None)
        for recipient in recipients(team, row.host_key, team_key):
            enqueue(
                connection, kind=BOOKING_KINDS[event], recipient=recipient, event_key=booking_id,
                subject={"booking_id": booking_id}, lead_id=lead_id, now=clock.now(),
            )  # fmt: skip

    return record


def request_events(team: TeamConfig, clock: Clock) -> Callable[[Connection, MeetingRequest], None]:
    """The routing log's hook for a new meeting request: notifies its AE and team."""

    def record(connection: Connection, request: MeetingRequest) -> None:
        enqueue_request(
            connection, team, clock, request_id=request.id, kind=request.kind, lead_id=request.lead_id,
            ae_key=request.ae_key, team_key=request.team,
        )  # fmt: skip

    return record


def enqueue_request(
    connection: Connection, team: TeamConfig, clock: Clock, *, request_id: int, kind: str, lead_id: int | None,
    ae_key: str | None, team_key: str | None,
) -> None:  # fmt: skip
    """A CQL without a meeting: ``manual`` (times in words) or ``declined``."""
    notification = "manual_booking" if kind == "manual" else "cql_no_meeting"
    for recipient in recipients(team, ae_key, team_key):
        enqueue(
            connection, kind=notification, recipient=recipient, event_key=str(request_id),
            subject={"meeting_request_id": request_id}, lead_id=lead_id, now=clock.now(),
        )  # fmt: skip
