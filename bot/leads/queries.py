"""Read-only views of the lead store, as plain JSON-ready data, for the API
and the dashboard. Writes live in :mod:`bot.leads.store`."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Iterator, List, Tuple

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from answers.normalise import normalise_email
from bot.errors import StoreError
from bot.leads.models import Conversation, Lead
from bot.notifications.outbox import delivery_via, notifications
from bot.qualification.gloss import gloss
from calendar_booking.tables import bookings


@dataclass(frozen=True)
class LeadFilter:
    """Which leads to list: newest first, ``limit`` at a time, below ``before_id``."""

    email: str | None = None
    status: str | None = None
    since: datetime | None = None
    limit: int = 50
    before_id: int | None = None


def lead_summary(lead: Lead) -> Dict[str, Any]:
    """The fields every lead answer carries."""
    return {
        "id": lead.id,
        "email": lead.email,
        "name": lead.full_name,
        "company": lead.company,
        "role": lead.role_title,
        "seniority": lead.seniority,
        "company_size": lead.company_size,
        "timeline_months": lead.timeline_months,
        "budget": lead.budget,
        "country": lead.country,
        "language": lead.language,
        "status": lead.status,
        "score": lead.score,
        "reasons": lead.reasons or [],
        "created_at": lead.created_at,
        "updated_at": lead.updated_at,
        "meeting": None,  # filled in by LeadQueries from the bookings
        "accepted_by": lead.accepted_by,
        "accepted_at": lead.accepted_at,
    }


def meetings_of(session: Session, lead_ids: List[int]) -> Dict[int, Dict[str, Any]]:
    """Each lead's meeting: its active booking (the latest), else its latest booking."""
    if not lead_ids:
        return {}
    rows = session.execute(
        select(Conversation.lead_id, bookings)
        .join(bookings, bookings.c.reference == Conversation.sender_id)
        .where(Conversation.lead_id.in_(lead_ids))
        .order_by(bookings.c.created_at)
    ).all()
    found: Dict[int, Dict[str, Any]] = {}
    for row in rows:
        m = row._mapping
        active = m["active_start"] is not None
        if m["lead_id"] in found and found[m["lead_id"]]["status"] in ("reserved", "confirmed") and not active:
            continue
        found[m["lead_id"]] = {
            "id": m["id"], "ae": m["host_key"], "start": m["start"], "end": m["end"], "status": m["status"],
            "visitor_timezone": m["visitor_timezone"], "meet_link": m["meet_link"],
        }  # fmt: skip
    return found


def notifications_of(session: Session, lead_id: int) -> List[Dict[str, Any]]:
    """The lead's alerts and how their delivery went, oldest first."""
    rows = session.execute(
        select(notifications).where(notifications.c.lead_id == lead_id).order_by(notifications.c.id)
    ).all()
    fields = ("kind", "recipient", "status", "attempts", "last_error", "created_at", "delivered_at")
    return [{**{name: getattr(row, name) for name in fields}, "via": delivery_via(row.delivery)} for row in rows]


def status_history(lead: Lead) -> List[Dict[str, Any]]:
    return [
        {
            "at": change.at,
            "from": change.from_status,
            "to": change.to_status,
            "cause": change.cause,
            "points": change.points,
            "policy_version": change.policy_version,
            "actor": change.actor,
            "note": change.note,
        }
        for change in lead.status_changes
    ]


def conversation_view(conversation: Conversation) -> Dict[str, Any]:
    return {
        "sender_id": conversation.sender_id,
        "started_at": conversation.started_at,
        "last_activity_at": conversation.last_activity_at,
        "ended_at": conversation.ended_at,
        "outcome": conversation.outcome,
        "page_url": conversation.page_url,
        "utm": conversation.utm or {},
        "browser_timezone": conversation.browser_timezone,
        "language": conversation.language,
        "consent_given_at": conversation.consent_given_at,
        "answers": answers_view(conversation),
    }


def answers_view(conversation: Conversation) -> Dict[str, Dict[str, Any]]:
    """Question → what was said, understood and when, in the order answered."""
    return {
        answer.question: {
            "parser": answer.parser,
            "raw_text": answer.raw_text,
            "value": answer.value,
            "parsed": answer.parsed,
            "attempts": answer.attempts,
            "asked_at": answer.asked_at,
            "answered_at": answer.answered_at,
        }
        for answer in sorted(conversation.answers, key=lambda a: a.id)
    }


class LeadQueries:
    """Lists and reads leads; one session per call."""

    def __init__(self, sessions: sessionmaker) -> None:
        self._sessions = sessions

    @contextmanager
    def _read(self) -> Iterator[Session]:
        try:
            with self._sessions() as session:
                yield session
        except SQLAlchemyError as exc:
            raise StoreError(f"lead store read failed: {exc.__class__.__name__}") from exc

    def page(self, wanted: LeadFilter) -> Tuple[List[Dict[str, Any]], int | None]:
        """One page of lead summaries, newest first, and the id to continue
        below (None on the last page). Erased leads are not listed."""
        query = select(Lead).where(Lead.erased_at.is_(None)).order_by(Lead.id.desc()).limit(wanted.limit + 1)
        if wanted.email:
            query = query.where(Lead.email_normalised == normalise_email(wanted.email))
        if wanted.status:
            query = query.where(Lead.status == wanted.status)
        if wanted.since:
            query = query.where(Lead.created_at >= wanted.since)
        if wanted.before_id is not None:
            query = query.where(Lead.id < wanted.before_id)
        with self._read() as session:
            leads = list(session.execute(query).scalars())
            items = [lead_summary(lead) for lead in leads[: wanted.limit]]
            meetings = meetings_of(session, [int(item["id"]) for item in items])
            for item in items:
                item["meeting"] = meetings.get(int(item["id"]))
        more = len(leads) > wanted.limit
        return items, (int(items[-1]["id"]) if more else None)

    def lead(self, lead_id: int) -> Dict[str, Any] | None:
        """Everything stored on one lead: summary, status history, and each
        conversation with its answers (oldest first). None if unknown."""
        query = (
            select(Lead)
            .where(Lead.id == lead_id)
            .options(
                selectinload(Lead.status_changes),
                selectinload(Lead.conversations).selectinload(Conversation.answers),
            )
        )
        with self._read() as session:
            lead = session.execute(query).scalar_one_or_none()
            if lead is None:
                return None
            conversations = sorted(lead.conversations, key=lambda c: (c.started_at, c.id))
            return {
                **lead_summary(lead),
                "meeting": meetings_of(session, [lead.id]).get(lead.id),
                "email_kind": lead.email_kind,
                "knockout": lead.knockout,
                "policy_version": lead.policy_version,
                "scored_at": lead.scored_at,
                "erased_at": lead.erased_at,
                "status_history": status_history(lead),
                "notifications": notifications_of(session, lead.id),
                "conversations": [conversation_view(c) for c in conversations],
            }


def latest_answers(conversations: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Question → the latest answer given to it across conversations: the visitor's words,
    the value understood, its English gloss (None when there is nothing to gloss) and when."""
    answers: Dict[str, Any] = {}
    for conversation in conversations:  # oldest first, so later answers win
        for question, answer in conversation["answers"].items():
            if answer["answered_at"] is not None:
                answers[question] = {
                    "text": answer["raw_text"],
                    "value": answer["value"],
                    "gloss": gloss(answer.get("parser"), answer["value"]),
                    "at": answer["answered_at"],
                }
    return answers
