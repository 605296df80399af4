"""Keeps every routing decision, and every CQL left for a person to book."""

from __future__ import annotations

from datetime import timedelta
from typing import Callable, ContextManager, Dict, Sequence

from sqlalchemy import exists, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.db import unit_of_work
from bot.leads.models import MeetingRequest, RoutingDecision
from bot.leads.store import consented_conversation
from bot.routing.router import RouteDecision
from calendar_booking.tables import bookings

MAX_PREFERRED_CHARS = 1000
#: A visitor routed this recently who has not booked is counted as a meeting on its way to their AE,
#: so visitors routed at the same moment are spread by weight instead of all seeing the same counts.
OPEN_OFFER_WINDOW = timedelta(minutes=30)
MANUAL = "manual"
#: Called in a new meeting request's own transaction (the outbox: its alerts are written with it or not at all).
RequestHook = Callable[[Connection, MeetingRequest], None]
DECLINED = "declined"


class RoutingLog:
    """Writes decisions and meeting requests; one session per call."""

    def __init__(self, sessions: sessionmaker, clock: Clock, on_request: RequestHook | None = None) -> None:
        self._sessions = sessions
        self._clock = clock
        self._on_request = on_request

    def _unit(self) -> ContextManager[Session]:
        return unit_of_work(self._sessions, "routing log")

    @staticmethod
    def _lead_id(session: Session, sender_id: str) -> int | None:
        conversation = consented_conversation(session, sender_id)
        return conversation.lead_id if conversation is not None else None

    def record_decision(self, sender_id: str, decision: RouteDecision) -> None:
        with self._unit() as session:
            session.add(
                RoutingDecision(
                    sender_id=sender_id,
                    lead_id=self._lead_id(session, sender_id),
                    decided_at=self._clock.now(),
                    team=decision.team,
                    ae_key=decision.ae,
                    candidates=list(decision.candidates),
                    reasons=list(decision.reasons),
                    pinned=decision.pinned,
                )
            )

    def open_offers(self, ae_keys: Sequence[str], exclude_sender: str | None = None) -> Dict[str, int]:
        """How many visitors each AE was routed to lately (:data:`OPEN_OFFER_WINDOW`) who have not
        booked since: meetings on their way. Each visitor counts once, by their latest decision."""
        if not ae_keys:
            return {}
        since = self._clock.now() - OPEN_OFFER_WINDOW
        latest = (
            select(func.max(RoutingDecision.id))
            .where(RoutingDecision.decided_at >= since)
            .group_by(RoutingDecision.sender_id)
        )
        booked_since = select(bookings.c.id).where(
            bookings.c.reference == RoutingDecision.sender_id, bookings.c.created_at >= RoutingDecision.decided_at
        )
        query = (
            select(RoutingDecision.ae_key, func.count())
            .where(
                RoutingDecision.id.in_(latest.scalar_subquery()),
                RoutingDecision.ae_key.in_(list(ae_keys)),
                RoutingDecision.pinned.is_(False),
                ~exists(booked_since),
            )
            .group_by(RoutingDecision.ae_key)
        )
        if exclude_sender is not None:
            query = query.where(RoutingDecision.sender_id != exclude_sender)
        with self._unit() as session:
            return {str(key): int(count) for key, count in session.execute(query).all()}

    def latest_decision(self, sender_id: str) -> RouteDecision | None:
        """The conversation's newest routing decision, as stored: what booking trusts, not the tracker."""
        with self._unit() as session:
            row = session.execute(
                select(RoutingDecision)
                .where(RoutingDecision.sender_id == sender_id)
                .order_by(RoutingDecision.id.desc())
                .limit(1)
            ).scalar_one_or_none()
            if row is None:
                return None
            candidates = row.candidates if row.candidates is not None else ([row.ae_key] if row.ae_key else [])
            return RouteDecision(
                team=row.team,
                candidates=tuple(str(key) for key in candidates),
                reasons=tuple(str(reason) for reason in row.reasons or ()),
                pinned=bool(row.pinned),
            )

    def record_request(
        self, sender_id: str, kind: str, decision: RouteDecision | None, preferred_times: str | None = None
    ) -> None:
        """A CQL waiting for a manual booking (or who declined one). Only a consented
        conversation with a lead is followed up: without one there is nobody to write to."""
        with self._unit() as session:
            lead_id = self._lead_id(session, sender_id)
            if lead_id is None:
                return
            request = MeetingRequest(
                sender_id=sender_id,
                lead_id=lead_id,
                kind=kind,
                preferred_times=(preferred_times or "")[:MAX_PREFERRED_CHARS],
                team=decision.team if decision else None,
                ae_key=decision.ae if decision else None,
                created_at=self._clock.now(),
            )
            session.add(request)
            session.flush()
            if self._on_request is not None:
                self._on_request(session.connection(), request)
