"""Keeps every routing decision, and every CQL left for a person to book."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Dict, Iterator, List

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.errors import StoreError
from bot.leads.models import Conversation, MeetingRequest, RoutingDecision
from bot.notifications.events import enqueue_request
from bot.routing.router import RouteDecision
from bot.routing.team import TeamConfig

MAX_PREFERRED_CHARS = 1000
MANUAL = "manual"
DECLINED = "declined"


class RoutingLog:
    """Writes decisions and meeting requests; one session per call."""

    def __init__(self, sessions: sessionmaker, clock: Clock, team: TeamConfig | None = None) -> None:
        self._sessions = sessions
        self._clock = clock
        self._team = team  # with a team, each request notifies its AE and team (the outbox)

    @contextmanager
    def _unit(self) -> Iterator[Session]:
        session: Session = self._sessions()
        try:
            yield session
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            raise StoreError(f"routing log write failed: {exc.__class__.__name__}") from exc
        finally:
            session.close()

    @staticmethod
    def _lead_id(session: Session, sender_id: str) -> int | None:
        conversation = session.execute(
            select(Conversation).where(Conversation.sender_id == sender_id)
        ).scalar_one_or_none()
        if conversation is None or conversation.consent_withdrawn_at is not None:
            return None
        return conversation.lead_id

    def record_decision(self, sender_id: str, decision: RouteDecision) -> None:
        with self._unit() as session:
            session.add(
                RoutingDecision(
                    sender_id=sender_id,
                    lead_id=self._lead_id(session, sender_id),
                    decided_at=self._clock.now(),
                    team=decision.team,
                    ae_key=decision.ae,
                    reasons=list(decision.reasons),
                    pinned=decision.pinned,
                )
            )

    def record_request(
        self, sender_id: str, kind: str, decision: RouteDecision | None, preferred_times: str | None = None
    ) -> None:
        """A CQL waiting for a manual booking (or who declined one). The
        visitor's words are kept only with consent, like every answer."""
        with self._unit() as session:
            lead_id = self._lead_id(session, sender_id)
            request = MeetingRequest(
                sender_id=sender_id,
                lead_id=lead_id,
                kind=kind,
                preferred_times=(preferred_times or "")[:MAX_PREFERRED_CHARS] if lead_id is not None else None,
                team=decision.team if decision else None,
                ae_key=decision.ae if decision else None,
                created_at=self._clock.now(),
            )
            session.add(request)
            session.flush()
            if self._team is not None:
                enqueue_request(
                    session.connection(), self._team, self._clock, request_id=request.id, kind=kind, lead_id=lead_id,
                    ae_key=request.ae_key, team_key=request.team,
                )  # fmt: skip

    def decisions(self, lead_id: int) -> List[Dict[str, Any]]:
        with self._unit() as session:
            rows = session.execute(
                select(RoutingDecision).where(RoutingDecision.lead_id == lead_id).order_by(RoutingDecision.id)
            ).scalars()
            return [
                {
                    "at": r.decided_at.isoformat(),
                    "team": r.team,
                    "ae": r.ae_key,
                    "reasons": list(r.reasons),
                    "pinned": r.pinned,
                }
                for r in rows
            ]

    def requests(self, lead_id: int) -> List[Dict[str, Any]]:
        with self._unit() as session:
            rows = session.execute(
                select(MeetingRequest).where(MeetingRequest.lead_id == lead_id).order_by(MeetingRequest.id)
            ).scalars()
            return [
                {
                    "at": r.created_at.isoformat(),
                    "kind": r.kind,
                    "preferred_times": r.preferred_times,
                    "team": r.team,
                    "ae": r.ae_key,
                }
                for r in rows
            ]
