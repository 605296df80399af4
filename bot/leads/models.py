"""Tables of the lead store: leads, their conversations, and every answer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

from calendar_booking.tables import NAMING_CONVENTION, Utc

metadata = MetaData(naming_convention=NAMING_CONVENTION)
if TYPE_CHECKING:  # a typed stand-in for the declarative base (SQLAlchemy 1.4 has no typed one)
    from sqlalchemy.orm.decl_api import DeclarativeMeta

    class Base(metaclass=DeclarativeMeta):
        __abstract__ = True
        metadata: MetaData

        def __init__(self, **kwargs: Any) -> None: ...
else:
    Base = declarative_base(metadata=metadata)


#: The project's one UTC column type (migrations name it by this path too).
UtcDateTime = Utc


class Lead(Base):
    """A person, known by their normalised email address."""

    __tablename__ = "leads"

    id = Column(Integer, primary_key=True)
    email_normalised = Column(String(320), nullable=False, unique=True)
    email = Column(String(320), nullable=False)
    email_kind = Column(String(16), nullable=False)
    full_name = Column(String(200))
    company = Column(String(200))
    role_title = Column(String(200))
    seniority = Column(String(32))
    company_size = Column(Integer)
    timeline_months = Column(Float)
    budget = Column(String(16))
    country = Column(String(100))
    country_code = Column(String(2))
    status = Column(String(32), nullable=False, default="new")
    score = Column(Integer)
    reasons: Any = Column(JSON)
    knockout = Column(String(40))
    policy_version = Column(String(40))
    scored_at = Column(UtcDateTime, index=True)
    created_at = Column(UtcDateTime, nullable=False, index=True)
    updated_at = Column(UtcDateTime, nullable=False)
    erased_at = Column(UtcDateTime)
    #: The AE who took the lead (Accept in Slack): ``ae:<key>`` or ``slack:<user id>``; the first one wins.
    accepted_by = Column(String(200))
    accepted_at = Column(UtcDateTime)

    conversations = relationship("Conversation", back_populates="lead")
    status_changes = relationship(
        "StatusChange", back_populates="lead", cascade="all, delete-orphan", order_by="StatusChange.id"
    )


class StatusChange(Base):
    """One change of a lead's tier: when, from what, to what, and why."""

    __tablename__ = "lead_status_changes"

    id = Column(Integer, primary_key=True)
    lead_id = Column(Integer, ForeignKey("leads.id", ondelete="CASCADE"), nullable=False, index=True)
    at = Column(UtcDateTime, nullable=False)
    from_status = Column(String(32))
    to_status = Column(String(32), nullable=False)
    cause = Column(String(32), nullable=False)
    points = Column(Integer)
    policy_version = Column(String(40))
    actor = Column(String(200))
    #: Why, in the actor's words or as a reason code (e.g. ``not_a_fit: no_budget``).
    note = Column(String(300))

    lead = relationship("Lead", back_populates="status_changes")


class ChatOpen(Base):
    """A chat session started on the website: anonymous (no sender id, no
    visitor data), kept for the funnel's first step, which comes before consent."""

    __tablename__ = "chat_opens"

    id = Column(Integer, primary_key=True)
    opened_at = Column(UtcDateTime, nullable=False, index=True)
    utm_source = Column(String(200))
    utm_campaign = Column(String(200))
    landing_path = Column(String(300))


class HealthProbe(Base):
    """One row per probing process: ``/healthz`` rewrites its own to prove the store takes writes."""

    __tablename__ = "health_probes"

    name = Column(String(100), primary_key=True)
    written_at = Column(UtcDateTime, nullable=False)


class Conversation(Base):
    """One chat, by Rasa sender id; exists only once the visitor consented."""

    __tablename__ = "conversations"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False, unique=True)
    lead_id = Column(Integer, ForeignKey("leads.id", ondelete="SET NULL"), index=True)
    started_at = Column(UtcDateTime, nullable=False, index=True)
    last_activity_at = Column(UtcDateTime, nullable=False)
    ended_at = Column(UtcDateTime)
    outcome = Column(String(32))
    page_url = Column(String(2048))
    utm = Column(JSON, nullable=False, default=dict)
    browser_timezone = Column(String(64))
    consent_given_at = Column(UtcDateTime, nullable=False)
    consent_withdrawn_at = Column(UtcDateTime)
    #: A knock-out the visitor stated in a message of their own (an id of ops/scoring.yml).
    knockout = Column(String(40))

    lead = relationship("Lead", back_populates="conversations")
    answers = relationship("Answer", back_populates="conversation", cascade="all, delete-orphan")


class Answer(Base):
    """What the visitor said to one question, and what we understood."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("conversation_id", "question", name="uq_answers_conversation_question"),)

    id = Column(Integer, primary_key=True)
    conversation_id = Column(Integer, ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False)
    question = Column(String(60), nullable=False)
    parser = Column(String(32))
    raw_text = Column(Text)
    value: Any = Column(JSON)
    parsed = Column(Boolean, nullable=False, default=False)
    attempts = Column(Integer, nullable=False, default=0)
    asked_at = Column(UtcDateTime)
    answered_at = Column(UtcDateTime)

    conversation = relationship("Conversation", back_populates="answers")


class RoutingDecision(Base):
    """Where a CQL was routed, and every reason code of the decision."""

    __tablename__ = "routing_decisions"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False, index=True)
    lead_id = Column(Integer, ForeignKey("leads.id", ondelete="SET NULL"), index=True)
    decided_at = Column(UtcDateTime, nullable=False, index=True)
    team = Column(String(40), nullable=False)
    ae_key = Column(String(40))
    #: The AEs who may take the lead, best first (a teammate stands in from these).
    candidates: Any = Column(JSON)
    reasons: Any = Column(JSON, nullable=False)
    pinned = Column(Boolean, nullable=False, default=False)


class BookingOffer(Base):
    """A time the bot offered a conversation, with the AE it was offered with:
    a pick is booked only if it is one of these (whatever the tracker says)."""

    __tablename__ = "booking_offers"
    __table_args__ = (UniqueConstraint("sender_id", "ae_key", "start", name="uq_booking_offers_sender_ae_start"),)

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False)
    ae_key = Column(String(64), nullable=False)
    start = Column(UtcDateTime, nullable=False)
    end = Column(UtcDateTime, nullable=False)
    offered_at = Column(UtcDateTime, nullable=False, index=True)


class OpsSessionRecord(Base):
    """A signed-in ops person's session, kept here so it can end (sign-out, a new
    password) and can never outlive its lifetime, whatever its cookie says."""

    __tablename__ = "ops_sessions"

    #: SHA-256 of the cookie's random session id: the database never holds a usable cookie.
    id_hash = Column(String(64), primary_key=True)
    csrf = Column(String(64), nullable=False)
    #: HMAC of the password that opened it: another password (a change) no longer matches.
    credential = Column(String(64), nullable=False)
    created_at = Column(UtcDateTime, nullable=False)
    expires_at = Column(UtcDateTime, nullable=False, index=True)
    revoked_at = Column(UtcDateTime)


class MeetingRequest(Base):
    """A CQL without a booked meeting: nobody was free (``manual``, with the
    visitor's preferred times in their words) or they declined (``declined``).
    The team follows up by hand."""

    __tablename__ = "meeting_requests"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False, index=True)
    lead_id = Column(Integer, ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    kind = Column(String(16), nullable=False)
    preferred_times = Column(Text)
    team = Column(String(40))
    ae_key = Column(String(40))
    created_at = Column(UtcDateTime, nullable=False)
    handled_at = Column(UtcDateTime)
