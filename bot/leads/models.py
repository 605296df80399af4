"""Tables of the lead store: leads, their conversations, and every answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any, List

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from calendar_booking.tables import NAMING_CONVENTION, Utc

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Base(DeclarativeBase):
    metadata = metadata


#: The project's one UTC column type (migrations name it by this path too).
UtcDateTime = Utc


class Lead(Base):
    """A person, known by their normalised email address."""

    __tablename__ = "leads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email_normalised: Mapped[str] = mapped_column(String(320), nullable=False, unique=True)
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    email_kind: Mapped[str] = mapped_column(String(16), nullable=False)
    full_name: Mapped[str | None] = mapped_column(String(200))
    company: Mapped[str | None] = mapped_column(String(200))
    role_title: Mapped[str | None] = mapped_column(String(200))
    seniority: Mapped[str | None] = mapped_column(String(32))
    company_size: Mapped[int | None] = mapped_column(Integer)
    timeline_months: Mapped[float | None] = mapped_column(Float)
    budget: Mapped[str | None] = mapped_column(String(16))
    country: Mapped[str | None] = mapped_column(String(100))
    country_code: Mapped[str | None] = mapped_column(String(2))
    #: The language the lead's latest conversation was held in (a code of bot.languages).
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="en", server_default="en")
    status: Mapped[str] = mapped_column(String(32), nullable=False, default="new")
    score: Mapped[int | None] = mapped_column(Integer)
    reasons: Mapped[Any] = mapped_column(JSON, nullable=True)
    knockout: Mapped[str | None] = mapped_column(String(40))
    policy_version: Mapped[str | None] = mapped_column(String(40))
    scored_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: The AE who took the lead (Accept in Slack): ``ae:<key>`` or ``slack:<user id>``; the first one wins.
    accepted_by: Mapped[str | None] = mapped_column(String(200))
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    conversations: Mapped[List[Conversation]] = relationship("Conversation", back_populates="lead")
    status_changes: Mapped[List[StatusChange]] = relationship(
        "StatusChange", back_populates="lead", cascade="all, delete-orphan", order_by="StatusChange.id"
    )


class StatusChange(Base):
    """One change of a lead's tier: when, from what, to what, and why."""

    __tablename__ = "lead_status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lead_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("leads.id", ondelete="CASCADE"), nullable=False, index=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(32))
    to_status: Mapped[str] = mapped_column(String(32), nullable=False)
    cause: Mapped[str] = mapped_column(String(32), nullable=False)
    points: Mapped[int | None] = mapped_column(Integer)
    policy_version: Mapped[str | None] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(200))
    #: Why, in the actor's words or as a reason code (e.g. ``not_a_fit: no_budget``).
    note: Mapped[str | None] = mapped_column(String(300))

    lead: Mapped[Lead | None] = relationship("Lead", back_populates="status_changes")


class ChatOpen(Base):
    """A chat session started on the website: anonymous (no sender id, no
    visitor data), kept for the funnel's first step, which comes before consent."""

    __tablename__ = "chat_opens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, index=True)
    utm_source: Mapped[str | None] = mapped_column(String(200))
    utm_campaign: Mapped[str | None] = mapped_column(String(200))
    landing_path: Mapped[str | None] = mapped_column(String(300))
    #: The language the chat opened in (the browser's, when the bot speaks it).
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="en", server_default="en")


class HealthProbe(Base):
    """One row per probing process: ``/healthz`` rewrites its own to prove the store takes writes."""

    __tablename__ = "health_probes"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    written_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)


class Conversation(Base):
    """One chat, by Rasa sender id; exists only once the visitor consented."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(255), nullable=False, unique=True)
    lead_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("leads.id", ondelete="SET NULL"), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, index=True)
    last_activity_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    outcome: Mapped[str | None] = mapped_column(String(32))
    page_url: Mapped[str | None] = mapped_column(String(2048))
    utm: Mapped[Any] = mapped_column(JSON, nullable=False, default=dict)
    browser_timezone: Mapped[str | None] = mapped_column(String(64))
    #: The language the bot speaks with the visitor, as of their latest turn (a code of bot.languages).
    language: Mapped[str] = mapped_column(String(8), nullable=False, default="en", server_default="en")
    consent_given_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    consent_withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: A knock-out the visitor stated in a message of their own (an id of ops/scoring.yml).
    knockout: Mapped[str | None] = mapped_column(String(40))

    lead: Mapped[Lead | None] = relationship("Lead", back_populates="conversations")
    answers: Mapped[List[Answer]] = relationship("Answer", back_populates="conversation", cascade="all, delete-orphan")


class Answer(Base):
    """What the visitor said to one question, and what we understood."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("conversation_id", "question", name="uq_answers_conversation_question"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False
    )
    question: Mapped[str] = mapped_column(String(60), nullable=False)
    parser: Mapped[str | None] = mapped_column(String(32))
    raw_text: Mapped[str | None] = mapped_column(Text)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    parsed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    asked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    conversation: Mapped[Conversation | None] = relationship("Conversation", back_populates="answers")


class RoutingDecision(Base):
    """Where a CQL was routed, and every reason code of the decision."""

    __tablename__ = "routing_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(255), nullable=False, index=True)
    lead_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("leads.id", ondelete="SET NULL"), index=True)
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, index=True)
    team: Mapped[str] = mapped_column(String(40), nullable=False)
    ae_key: Mapped[str | None] = mapped_column(String(40))
    #: The AEs who may take the lead, best first (a teammate stands in from these).
    candidates: Mapped[Any] = mapped_column(JSON, nullable=True)
    reasons: Mapped[Any] = mapped_column(JSON, nullable=False)
    pinned: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class BookingOffer(Base):
    """A time the bot offered a conversation, with the AE it was offered with:
    a pick is booked only if it is one of these (whatever the tracker says)."""

    __tablename__ = "booking_offers"
    __table_args__ = (UniqueConstraint("sender_id", "ae_key", "start", name="uq_booking_offers_sender_ae_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(255), nullable=False)
    ae_key: Mapped[str] = mapped_column(String(64), nullable=False)
    start: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    end: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    offered_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, index=True)


class OpsSessionRecord(Base):
    """A signed-in ops person's session, kept here so it can end (sign-out, a new
    password) and can never outlive its lifetime, whatever its cookie says."""

    __tablename__ = "ops_sessions"

    #: SHA-256 of the cookie's random session id: the database never holds a usable cookie.
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    csrf: Mapped[str] = mapped_column(String(64), nullable=False)
    #: HMAC of the password that opened it: another password (a change) no longer matches.
    credential: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class MeetingRequest(Base):
    """A CQL without a booked meeting: nobody was free (``manual``, with the
    visitor's preferred times in their words) or they declined (``declined``).
    The team follows up by hand."""

    __tablename__ = "meeting_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(255), nullable=False, index=True)
    lead_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    preferred_times: Mapped[str | None] = mapped_column(Text)
    team: Mapped[str | None] = mapped_column(String(40))
    ae_key: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False)
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
