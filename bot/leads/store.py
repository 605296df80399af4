"""The lead store: what each consenting visitor told us, kept as they said it.

Writes happen as the conversation goes, so an abandoned chat keeps what it
had. Nothing is written for a visitor who has not consented: every method is a
no-op for a conversation without consent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ContextManager, Dict, Iterator, List, Mapping, Sequence, Tuple, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from answers.normalise import normalise_email
from bot.clock import Clock
from bot.db import unit_of_work
from bot.languages import DEFAULT_LANGUAGE, language_of
from bot.leads.models import Answer, ChatOpen, Conversation, Lead, MeetingRequest, StatusChange
from bot.leads.queries import answers_view, status_history
from bot.leads.replay import ReplayedConversation
from bot.notifications.erasure import ERASED_TITLE, enqueue_erasure
from bot.qualification.answers import NOT_ANSWERED, Answers
from bot.qualification.answers import Answer as AnswerValue
from bot.scoring.score import Score
from bot.visit import landing_path
from calendar_booking.tables import bookings, calendar_events

MAX_RAW_ANSWER_CHARS = 4000
MAX_URL_CHARS = 2048


@dataclass(frozen=True)
class VisitContext:
    """Where the visitor came from, as the widget reported it, and the language the bot
    speaks with them (checked again when stored: a code the bot does not speak is the default)."""

    page_url: str | None = None
    utm: Mapping[str, str] = field(default_factory=dict)
    browser_timezone: str | None = None
    language: str = DEFAULT_LANGUAGE


@dataclass(frozen=True)
class LeadIdentity:
    """Who a consented conversation's lead is, as our store knows it (never as the tracker says)."""

    lead_id: int
    email: str
    name: str | None
    status: str


@dataclass(frozen=True)
class AnswerRecord:
    """One answer: the question's slot, how it is parsed, the raw text and the value."""

    question: str
    parser: str
    raw_text: str | None
    value: Any
    parsed: bool


def find_conversation(session: Session, sender_id: str) -> Conversation | None:
    return session.execute(select(Conversation).where(Conversation.sender_id == sender_id)).scalar_one_or_none()


def consented_conversation(session: Session, sender_id: str) -> Conversation | None:
    """The conversation, unless there is none or its consent was withdrawn."""
    conversation = find_conversation(session, sender_id)
    if conversation is None or conversation.consent_withdrawn_at is not None:
        return None
    return conversation


def _erase_meeting_details(session: Session, senders: List[str]) -> None:
    """The visitor's name, address and own words in bookings (the event's title and
    description hold them too), meeting requests and our local calendar's copies of
    their meetings. The meetings themselves stay on the AE's calendar, so nobody is
    stood up; cancelling is the AE's call. Other calendars are scrubbed through the
    outbox (:mod:`bot.notifications.erasure`)."""
    if not senders:
        return
    event_ids = select(bookings.c.event_id).where(bookings.c.reference.in_(senders)).scalar_subquery()
    session.execute(
        update(calendar_events)
        .where(calendar_events.c.event_id.in_(event_ids))
        .values(attendees=[], description=None, title=ERASED_TITLE)
    )
    session.execute(
        update(bookings)
        .where(bookings.c.reference.in_(senders))
        .values(attendee_email=None, attendee_name=None, title=ERASED_TITLE, description=None)
    )
    session.execute(update(MeetingRequest).where(MeetingRequest.sender_id.in_(senders)).values(preferred_times=None))


def _set_language(conversation: Conversation, language: Any) -> None:
    """The conversation's language, and its lead's (the latest conversation speaks for the
    lead): only a language the bot speaks is stored, anything else is the default."""
    code = language_of(language)
    conversation.language = code
    if conversation.lead is not None and conversation.lead.erased_at is None:
        conversation.lead.language = code


def _stored_answers(conversation: Conversation) -> Answers:
    """A conversation's answers as the store keeps them, typed."""
    return Answers.stored((a.question, a.parser, a.value) for a in conversation.answers)


class LeadStore:
    """Reads and writes leads, conversations and answers; one session per call."""

    def __init__(self, sessions: sessionmaker, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    # -- helpers -----------------------------------------------------------

    def _unit(self) -> ContextManager[Session]:
        return unit_of_work(self._sessions, "lead store")

    @staticmethod
    def _conversation(session: Session, sender_id: str) -> Conversation | None:
        return find_conversation(session, sender_id)

    @staticmethod
    def _consented(session: Session, sender_id: str) -> Conversation | None:
        return consented_conversation(session, sender_id)

    # -- writes --------------------------------------------------------------

    def record_chat_open(self, visit: VisitContext) -> None:
        """Counts a chat session started: its UTM source and campaign and the
        landing page's path, with nothing that identifies the visitor."""
        path = landing_path(visit.page_url)
        with self._unit() as session:
            session.add(
                ChatOpen(
                    opened_at=self._clock.now(),
                    utm_source=(visit.utm.get("utm_source") or None),
                    utm_campaign=(visit.utm.get("utm_campaign") or None),
                    landing_path=path[:300] if path else None,
                    language=language_of(visit.language),
                )
            )

    def record_consent(self, sender_id: str, visit: VisitContext) -> None:
        """Starts keeping this conversation; repeating it changes nothing."""
        now = self._clock.now()
        with self._unit() as session:
            conversation = self._conversation(session, sender_id)
            if conversation is None:
                conversation = Conversation(sender_id=sender_id, started_at=now, consent_given_at=now, utm={})
                session.add(conversation)
            elif conversation.consent_withdrawn_at is not None:
                conversation.consent_given_at = now
                conversation.consent_withdrawn_at = None
            conversation.last_activity_at = now
            page_url = visit.page_url or conversation.page_url
            conversation.page_url = page_url[:MAX_URL_CHARS] if page_url else None
            conversation.utm = dict(visit.utm) or conversation.utm or {}
            conversation.browser_timezone = visit.browser_timezone or conversation.browser_timezone
            _set_language(conversation, visit.language)

    def withdraw_consent(self, sender_id: str) -> None:
        """Forgets this conversation's answers and keeps nothing more."""
        with self._unit() as session:
            conversation = self._conversation(session, sender_id)
            if conversation is not None and conversation.consent_withdrawn_at is None:
                conversation.consent_withdrawn_at = self._clock.now()
                conversation.answers.clear()
                conversation.lead_id = None

    def record_asked(self, sender_id: str, question: str) -> None:
        """Notes when a question was first put to the visitor."""
        self.record_turn(sender_id, [], question)

    def record_answer(self, sender_id: str, record: AnswerRecord) -> None:
        """Stores an answer (each try counts as an attempt) and, once the email
        is known, links the conversation to its lead."""
        self.record_turn(sender_id, [record], None)

    def record_turn(
        self, sender_id: str, answers: Sequence[AnswerRecord], asked: str | None, language: str | None = None
    ) -> None:
        """A form turn in one transaction: the answers the visitor gave (as
        :meth:`record_answer`), then the question put to them next (as
        :meth:`record_asked`); with ``language``, the language the turn was held in."""
        if not answers and not asked and language is None:
            return
        now = self._clock.now()
        with self._unit() as session:
            conversation = self._consented(session, sender_id)
            if conversation is None:
                return
            for record in answers:
                answer = self._answer(session, conversation, record.question)
                answer.raw_text = None if record.raw_text is None else record.raw_text[:MAX_RAW_ANSWER_CHARS]
                answer.value = record.value
                answer.parser = record.parser
                answer.parsed = record.parsed
                answer.attempts = (answer.attempts or 0) + 1
                answer.answered_at = now  # asked_at stays empty for an answer volunteered before it was asked
            if answers:
                session.flush()
                self._sync_lead(session, conversation, now)
            if asked:
                question = self._answer(session, conversation, asked)
                if question.asked_at is None:
                    question.asked_at = now
            if language is not None:
                _set_language(conversation, language)
            conversation.last_activity_at = now

    def record_knockout(self, sender_id: str, knockout: str | None) -> None:
        """Keeps a knock-out the visitor stated ("are you hiring?"), for the score; None
        forgets it (the visitor said it was not what they meant)."""
        with self._unit() as session:
            conversation = self._consented(session, sender_id)
            if conversation is not None:
                conversation.knockout = knockout[:40] if knockout else None
                conversation.last_activity_at = self._clock.now()

    def end_conversation(self, sender_id: str, outcome: str, language: str | None = None) -> None:
        """Marks how the conversation ended (``completed``, ``stopped``...); with ``language``,
        the language it ended in."""
        with self._unit() as session:
            conversation = self._consented(session, sender_id)
            if conversation is not None:
                conversation.ended_at = self._clock.now()
                conversation.outcome = outcome
                if language is not None:
                    _set_language(conversation, language)

    def record_score(self, sender_id: str, score: Score, cause: str = "scored", note: str | None = None) -> int | None:
        """Stores ``score`` on the conversation's lead, with a status-history
        entry when the tier changes (or, with a ``note``, always: a correction
        is kept in the history even when the tier stays). Returns the lead's
        id, or None when no lead is known (no consent, or no email given)."""
        now = self._clock.now()
        with self._unit() as session:
            conversation = self._consented(session, sender_id)
            if conversation is None or conversation.lead is None:
                return None
            self._apply_score(conversation.lead, score, cause, now, note)
            return int(conversation.lead.id)

    def restore(self, replayed: ReplayedConversation) -> bool:
        """Brings this conversation's stored consent, answers, knock-out and outcome
        level with what its tracker says (:mod:`bot.leads.repair`), in one transaction.

        The tracker may lag the store (read while a turn is being written): what the
        store holds is kept unless the tracker's version of it is newer. Idempotent; an
        erased lead is never restored. Returns whether anything changed."""
        now = self._clock.now()
        with self._unit() as session:
            conversation = self._conversation(session, replayed.sender_id)
            if conversation is not None and conversation.lead is not None and conversation.lead.erased_at is not None:
                return False
            if replayed.consent is not True:
                return self._restore_withdrawal(conversation, replayed, now)
            consent_at = replayed.consent_at or now
            if conversation is None:
                conversation = Conversation(
                    sender_id=replayed.sender_id[:255],
                    started_at=min(replayed.started_at, consent_at),
                    consent_given_at=consent_at,
                    last_activity_at=replayed.last_activity_at,
                    utm={},
                    language=language_of(replayed.language),
                )
                session.add(conversation)
                changed = True
            elif conversation.consent_withdrawn_at is not None:
                if not conversation.consent_withdrawn_at < consent_at:
                    return False  # withdrawn after the consent this tracker knows of
                conversation.consent_given_at, conversation.consent_withdrawn_at = consent_at, None
                changed = True
            else:
                changed = False
            page_url = conversation.page_url or replayed.page_url
            conversation.page_url = page_url[:MAX_URL_CHARS] if page_url else None
            conversation.utm = conversation.utm or dict(replayed.utm)
            zone = conversation.browser_timezone or (replayed.browser_timezone or "")[:64]
            conversation.browser_timezone = zone or None
            answered = self._restore_answers(session, conversation, replayed)
            knockout = replayed.knockout[:40] if replayed.knockout else None
            if conversation.knockout != knockout and _newer(replayed.knockout_at, conversation.last_activity_at):
                conversation.knockout, changed = knockout, True
            if (
                replayed.outcome
                and conversation.outcome != replayed.outcome
                and _newer(replayed.ended_at, conversation.ended_at)
            ):
                conversation.outcome, conversation.ended_at, changed = replayed.outcome, replayed.ended_at, True
            if conversation.last_activity_at is None or conversation.last_activity_at < replayed.last_activity_at:
                conversation.last_activity_at = replayed.last_activity_at
            session.flush()
            if answered or (conversation.lead_id is None and replayed.answers):
                before = conversation.lead_id
                self._sync_lead(session, conversation, now)
                changed = changed or answered or conversation.lead_id != before
            return changed

    @staticmethod
    def _restore_withdrawal(conversation: Conversation | None, replayed: ReplayedConversation, now: datetime) -> bool:
        """The tracker says the visitor declined: forget what the store kept, unless they
        consented again after the decline this tracker knows of."""
        if replayed.consent is not False or conversation is None or conversation.consent_withdrawn_at is not None:
            return False
        if not _newer(replayed.declined_at, conversation.consent_given_at):
            return False
        conversation.consent_withdrawn_at = now
        conversation.answers.clear()
        conversation.lead_id = None
        return True

    def _restore_answers(self, session: Session, conversation: Conversation, replayed: ReplayedConversation) -> bool:
        """Each answer the store lacks, or holds an older version of; returns whether any changed."""
        answered = False
        for record in replayed.answers:
            answer = self._answer(session, conversation, record.question)
            stale = answer.answered_at is None or (
                answer.value != record.value and answer.answered_at < record.answered_at
            )
            if stale:
                answer.value = record.value
                answer.raw_text = None if record.raw_text is None else record.raw_text[:MAX_RAW_ANSWER_CHARS]
                answer.parser, answer.parsed = record.parser, record.parsed
                answer.attempts = max(answer.attempts or 0, 1)
                answer.answered_at = record.answered_at
                answered = True
            answer.asked_at = answer.asked_at or record.asked_at
        for question, asked_at in replayed.asked.items():
            answer = self._answer(session, conversation, question)
            answer.asked_at = answer.asked_at or asked_at
        return answered

    def restore_score(self, sender_id: str, score: Score, completed_at: datetime | None) -> bool:
        """Stores ``score`` (cause ``repaired``) for a conversation that finished at
        ``completed_at`` when its scoring was lost: the lead holds no score from after that,
        this is the lead's latest conversation, its stored score differs, and no person has
        set the tier or taken the lead. Returns whether it did."""
        with self._unit() as session:
            conversation = self._consented(session, sender_id)
            lead = conversation.lead if conversation is not None else None
            if conversation is None or lead is None or lead.erased_at is not None or completed_at is None:
                return False
            if any(change.cause == "ae_override" for change in lead.status_changes) or lead.accepted_by:
                return False
            latest = max(
                (c for c in lead.conversations if c.consent_withdrawn_at is None), key=lambda c: c.last_activity_at
            )
            if latest.id != conversation.id or (lead.scored_at is not None and lead.scored_at >= completed_at):
                return False
            if lead.scored_at is not None and lead.score == score.points and lead.status == score.tier.value:
                return False
            self._apply_score(lead, score, "repaired", completed_at)  # when it should have been stored
            return True

    def rescore(self, lead_id: int, score: Score) -> None:
        """Stores a score recomputed under a new policy (cause ``rescored``)."""
        with self._unit() as session:
            lead = session.get(Lead, lead_id)
            if lead is not None and lead.erased_at is None:
                self._apply_score(lead, score, "rescored", self._clock.now())

    @staticmethod
    def _apply_score(lead: Lead, score: Score, cause: str, now: Any, note: str | None = None) -> None:
        if lead.status != score.tier.value or note:
            change = StatusChange(
                at=now,
                from_status=lead.status,
                to_status=score.tier.value,
                cause=cause,
                points=score.points,
                policy_version=score.policy_version,
            )
            change.note = note[:300] if note else None
            lead.status_changes.append(change)
        lead.status = score.tier.value
        lead.score = score.points
        lead.reasons = [reason.to_dict() for reason in score.reasons]
        lead.knockout = score.knockout
        lead.policy_version = score.policy_version
        lead.scored_at = now
        lead.updated_at = now

    def override_status(self, lead_id: int, status: str, actor: str, note: str | None = None) -> bool:
        """An AE or ops person sets the tier by hand (cause ``ae_override``),
        optionally saying why. Returns False when there is no such lead, or it was erased."""
        now = self._clock.now()
        with self._unit() as session:
            lead = session.get(Lead, lead_id)
            if lead is None or lead.erased_at is not None:
                return False
            if lead.status != status or note:
                change = StatusChange(at=now, from_status=lead.status, to_status=status, cause="ae_override")
                change.actor, change.note = actor, note[:300] if note else None
                lead.status_changes.append(change)
                lead.status = status
                lead.updated_at = now
            return True

    def accept(self, lead_id: int, actor: str) -> str | None:
        """An AE takes the lead. The first to accept keeps it: returns who holds
        it now (``actor`` if this call won), or None for an unknown or erased lead."""
        now = self._clock.now()
        with self._unit() as session:
            taken = cast(
                CursorResult[Any],
                session.execute(
                    update(Lead)
                    .where(Lead.id == lead_id, Lead.erased_at.is_(None), Lead.accepted_by.is_(None))
                    .values(accepted_by=actor[:200], accepted_at=now, updated_at=now)
                    .execution_options(synchronize_session=False)
                ),
            ).rowcount
            if taken:
                return actor[:200]
            holder = session.execute(
                select(Lead.accepted_by).where(Lead.id == lead_id, Lead.erased_at.is_(None))
            ).scalar_one_or_none()
            return str(holder) if holder else None

    def erase(self, lead_id: int) -> Tuple[datetime, List[str]] | None:
        """Erases a lead's personal data and leaves an anonymous tombstone
        (status, score, timestamps, answer times) so funnel counts stay right.
        Returns when it was erased and the conversations' sender ids (whose
        transcripts the caller erases next), or None for an unknown lead.
        Erasing again returns the same, so a failed transcript erase can be retried."""
        now = self._clock.now()
        with self._unit() as session:
            lead = session.get(Lead, lead_id)
            if lead is None:
                return None
            if lead.erased_at is None:
                _tombstone(lead, now)
            senders = [conversation.sender_id for conversation in lead.conversations]
            _erase_meeting_details(session, senders)
            session.flush()
            enqueue_erasure(session.connection(), int(lead.id), senders, now)
            return lead.erased_at or now, senders

    def scored_leads(self) -> Iterator[Tuple[int, str, str, Answers]]:
        """Every scored lead: id, email, status and the answers of its latest
        completed conversation, for re-scoring."""
        with self._unit() as session:
            leads = session.execute(
                select(Lead)
                .where(Lead.scored_at.is_not(None), Lead.erased_at.is_(None))
                .order_by(Lead.id)
                .options(selectinload(Lead.conversations).selectinload(Conversation.answers))
            ).scalars()
            rows = []
            for lead in leads:
                done = [c for c in lead.conversations if c.outcome == "completed" and c.consent_withdrawn_at is None]
                if done:
                    latest = max(done, key=lambda c: c.last_activity_at)
                    answers = _stored_answers(latest)
                    rows.append((int(lead.id), str(lead.email), str(lead.status), answers))
        yield from rows

    @staticmethod
    def _answer(session: Session, conversation: Conversation, question: str) -> Answer:
        for answer in conversation.answers:
            if answer.question == question:
                return answer
        answer = Answer(question=question, attempts=0, parsed=False)
        conversation.answers.append(answer)
        return answer

    _PARSERS_ON_LEAD = ("email", "name", "company", "role", "company_size", "timeline", "budget", "country")

    def _sync_lead(self, session: Session, conversation: Conversation, now: Any) -> None:
        parsed: Dict[str, AnswerValue] = {}
        for row in conversation.answers:
            parser = row.parser
            if row.value is not None and parser in self._PARSERS_ON_LEAD:
                if not row.parsed and not _usable_as_typed(row.value):
                    continue  # e.g. an email typed where the name was asked: kept in the answers, not as the name
                parsed[parser] = AnswerValue(row.value)
        email = parsed.get("email", NOT_ANSWERED)
        if not email.email_normalised:
            return
        key = normalise_email(email.email_normalised)
        lead = session.execute(select(Lead).where(Lead.email_normalised == key)).scalar_one_or_none()
        if lead is None:
            lead = Lead(email_normalised=key, status="new", created_at=now)
            session.add(lead)
        lead.email = email.email_address or key
        lead.email_kind = email.email_kind or "work"
        lead.language = language_of(conversation.language)
        lead.updated_at = now
        for parser, given in parsed.items():
            if parser == "name" and isinstance(given.value, str):
                lead.full_name = given.value[:200]
            elif parser == "company" and isinstance(given.value, str):
                lead.company = given.value[:200]
            elif parser == "role" and isinstance(given.value, dict):
                lead.role_title = (given.role_title or "")[:200]
                lead.seniority = given.seniority.value if given.seniority else None
            elif parser == "company_size":
                lead.company_size = given.company_size
            elif parser == "timeline":
                lead.timeline_months = given.timeline_months
            elif parser == "budget" and given.budget:
                lead.budget = given.budget
            elif parser == "country" and given.country_name:
                lead.country = given.country_name[:100]
                lead.country_code = given.country_code
        session.flush()
        conversation.lead_id = lead.id

    # -- reads ---------------------------------------------------------------

    def identity(self, sender_id: str) -> LeadIdentity | None:
        """The lead of a consented conversation (its email, name and tier), or None."""
        with self._unit() as session:
            conversation = self._consented(session, sender_id)
            lead = conversation.lead if conversation is not None else None
            if lead is None or lead.erased_at is not None or not lead.email:
                return None
            return LeadIdentity(int(lead.id), str(lead.email), lead.full_name, str(lead.status))

    def stored_answers(self, sender_id: str) -> Answers | None:
        """A consented conversation's answers as stored, or None
        without consent: what scoring, routing and booking trust, not the tracker."""
        stored = self.stored_conversation(sender_id)
        return stored[0] if stored is not None else None

    def stored_conversation(self, sender_id: str) -> Tuple[Answers, str | None] | None:
        """A consented conversation's stored answers and the knock-out it stated, or None."""
        with self._unit() as session:
            conversation = self._consented(session, sender_id)
            if conversation is None:
                return None
            answers = _stored_answers(conversation)
            return answers, conversation.knockout

    def bookings_without_lead(self) -> List[str]:
        """The conversations that hold an active booking but no lead in the store (and did not withdraw)."""
        with self._unit() as session:
            # A visitor who withdrew consent after booking keeps the meeting and leaves no lead.
            with_lead = select(Conversation.sender_id).where(
                Conversation.lead_id.isnot(None) | Conversation.consent_withdrawn_at.isnot(None)
            )
            rows = session.execute(
                select(bookings.c.reference)
                .where(bookings.c.active_start.isnot(None), bookings.c.reference.not_in(with_lead))
                .distinct()
                .order_by(bookings.c.reference)
            )
            return [str(reference) for (reference,) in rows]

    def conversation_language(self, sender_id: str) -> str:
        """The language a conversation was held in (as stored, whatever its consent), or the
        default for a conversation the store does not know."""
        with self._unit() as session:
            conversation = self._conversation(session, sender_id)
            return language_of(conversation.language if conversation is not None else None)

    def lead_id_for(self, sender_id: str) -> int | None:
        """The lead of a consented conversation, if it has one."""
        with self._unit() as session:
            conversation = self._consented(session, sender_id)
            return int(conversation.lead_id) if conversation is not None and conversation.lead_id is not None else None

    def conversation_record(self, sender_id: str) -> Dict[str, Any] | None:
        """The stored conversation with its answers and lead, as plain data."""
        with self._unit() as session:
            conversation = self._conversation(session, sender_id)
            if conversation is None:
                return None
            lead = conversation.lead
            return {
                "sender_id": conversation.sender_id,
                "page_url": conversation.page_url,
                "utm": conversation.utm,
                "browser_timezone": conversation.browser_timezone,
                "language": conversation.language,
                "consent_given_at": conversation.consent_given_at,
                "consent_withdrawn_at": conversation.consent_withdrawn_at,
                "outcome": conversation.outcome,
                "lead": None
                if lead is None
                else {
                    "email": lead.email,
                    "email_kind": lead.email_kind,
                    "full_name": lead.full_name,
                    "company": lead.company,
                    "role_title": lead.role_title,
                    "seniority": lead.seniority,
                    "status": lead.status,
                    "score": lead.score,
                    "reasons": lead.reasons,
                    "policy_version": lead.policy_version,
                    "company_size": lead.company_size,
                    "timeline_months": lead.timeline_months,
                    "budget": lead.budget,
                    "country": lead.country,
                    "language": lead.language,
                    "status_history": status_history(lead),
                },
                "answers": answers_view(conversation),
            }
        return None


def _newer(tracker_at: datetime | None, stored_at: datetime | None) -> bool:
    """Whether the tracker's version (changed at ``tracker_at``) is newer than the store's."""
    return tracker_at is not None and (stored_at is None or stored_at < tracker_at)


def _usable_as_typed(value: Any) -> bool:
    """Whether text kept as typed (not understood twice) may stand as the lead's
    name or company: not an email address, a link or markup."""
    return isinstance(value, str) and not re.search(r"@|<|>|https?://", value)


def _tombstone(lead: Lead, now: datetime) -> None:
    """Keeps what counts (status, score, when) and nothing that identifies."""
    lead.erased_at = now
    lead.updated_at = now
    lead.email_normalised = f"erased-{lead.id}"
    lead.email = ""
    lead.email_kind = "erased"
    for column in ("full_name", "company", "role_title", "seniority", "company_size", "timeline_months", "budget",
                   "country", "country_code"):  # fmt: skip
        setattr(lead, column, None)
    lead.reasons = []  # reasons quote the visitor's words
    for change in lead.status_changes:
        change.note = None  # an AE's note may name or quote the visitor
    for conversation in lead.conversations:
        conversation.page_url = None
        conversation.browser_timezone = None
        conversation.utm = {}  # a campaign's parameters may carry an address
        for answer in conversation.answers:
            answer.raw_text = None
            answer.value = None
