"""What a notification says, rendered when it is sent (so erased data is never sent).

:func:`alert_for` reads the lead, the booking or the meeting request behind a
claimed outbox row; :func:`slack_blocks` turns it into a Block Kit message.
The visitor's words are escaped for Slack's mrkdwn (``&``, ``<``, ``>``), so
an answer like ``<!channel>`` or ``<https://evil|click>`` shows as text and
pings nobody. A lead who chatted in another language than English gets their
language and each answer in their words with its English gloss
("company size: etwa 400 Mitarbeiter → 400 employees").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, List, Tuple
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Engine

from bot.languages import DEFAULT_LANGUAGE, language_name, language_of
from bot.leads.models import Answer, Conversation, Lead, MeetingRequest
from bot.notifications.outbox import Pending
from bot.qualification.gloss import gloss
from bot.routing.team import TeamConfig
from calendar_booking.tables import bookings

TITLES = {
    "meeting_booked": "New meeting booked",
    "meeting_moved": "Meeting moved",
    "meeting_cancelled": "Meeting cancelled",
    "meeting_reassigned": "Meeting reassigned to you",
    "manual_booking": "CQL waiting for you to book a time",
    "cql_no_meeting": "Hot lead, no meeting yet",
}
#: A CQL without a meeting, by why: they said no to the times, or left before picking one.
NO_MEETING_TITLES = {
    "declined": "Hot lead, no meeting yet: turned down the times",
    "abandoned": "Hot lead, no meeting yet: left before picking a time",
}
MAX_QUOTE_CHARS = 300
#: An answer's words as quoted beside its gloss, at most.
MAX_WORDS_CHARS = 120
#: Answers the lead already shows as given (who, company) or quotes whole (what they want).
_NOT_GLOSSED = ("use_case",)


@dataclass(frozen=True)
class GlossedAnswer:
    """One answer in the visitor's words, and what it was understood as, in English."""

    question: str
    words: str
    gloss: str

    @property
    def label(self) -> str:
        return self.question.replace("_", " ")


@dataclass(frozen=True)
class Alert:
    kind: str
    recipient: str
    ae_key: str | None
    ae_name: str | None
    ae_timezone: str | None
    lead_id: int | None
    name: str | None = None
    email: str | None = None
    role: str | None = None
    company: str | None = None
    company_size: int | None = None
    country: str | None = None
    tier: str | None = None
    score: int | None = None
    reasons: Tuple[str, ...] = ()
    use_case: str | None = None
    meeting_start: datetime | None = None
    meeting_end: datetime | None = None
    meet_link: str | None = None
    preferred_times: str | None = None
    lead_url: str | None = None
    booking_id: str | None = None
    #: For a CQL without a meeting: ``declined`` or ``abandoned``.
    why_no_meeting: str | None = None
    #: The language the visitor chatted in, and (when it is not English) their answers glossed.
    language: str = DEFAULT_LANGUAGE
    answers: Tuple[GlossedAnswer, ...] = ()

    @property
    def language_name(self) -> str:
        return language_name(self.language)

    @property
    def title(self) -> str:
        if self.kind == "cql_no_meeting" and self.why_no_meeting in NO_MEETING_TITLES:
            return NO_MEETING_TITLES[self.why_no_meeting]
        return TITLES.get(self.kind, self.kind)


def escape(text: Any) -> str:
    """Visitor text made inert in Slack mrkdwn."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def alert_for(engine: Engine, team: TeamConfig, pending: Pending, public_url: str) -> Alert:
    """The alert behind one outbox row, read now."""
    ae_key: str | None = pending.subject.get("ae_key")
    why_no_meeting: str | None = pending.subject.get("why")
    meeting: Dict[str, Any] = {}
    preferred = None
    with engine.connect() as connection:
        booking_id = pending.subject.get("booking_id")
        if booking_id:
            row = connection.execute(select(bookings).where(bookings.c.id == booking_id)).one_or_none()
            if row is not None:
                ae_key = row.host_key
                meeting = {
                    "meeting_start": row.start,
                    "meeting_end": row.end,
                    "meet_link": row.meet_link,
                    "booking_id": row.id,
                }
        request_id = pending.subject.get("meeting_request_id")
        if request_id:
            request = connection.execute(
                select(MeetingRequest.ae_key, MeetingRequest.preferred_times, MeetingRequest.kind).where(
                    MeetingRequest.id == request_id
                )
            ).one_or_none()
            if request is not None:
                ae_key, preferred, why_no_meeting = request.ae_key, request.preferred_times, request.kind
        columns = (Lead.id, Lead.full_name, Lead.email, Lead.role_title, Lead.company, Lead.company_size, Lead.country,
                   Lead.status, Lead.score, Lead.reasons, Lead.erased_at, Lead.language)  # fmt: skip
        lead = (
            connection.execute(select(*columns).where(Lead.id == pending.lead_id)).one_or_none()
            if pending.lead_id
            else None
        )
        lead_fields: Dict[str, Any] = {}
        if lead is not None and lead.erased_at is None:
            language = language_of(lead.language)
            lead_fields = {
                "language": language,
                "answers": _glossed_answers(connection, lead.id) if language != DEFAULT_LANGUAGE else (),
                "name": lead.full_name, "email": lead.email, "role": lead.role_title, "company": lead.company,
                "company_size": lead.company_size, "country": lead.country, "tier": lead.status, "score": lead.score,
                "reasons": tuple(str(r.get("text", "")) for r in lead.reasons or []),
                "use_case": _use_case(connection, lead.id),
            }  # fmt: skip
    ae = team.by_key.get(ae_key or "")
    return Alert(
        kind=pending.kind,
        recipient=pending.recipient,
        ae_key=ae_key,
        ae_name=ae.name if ae else None,
        ae_timezone=ae.timezone if ae else None,
        lead_id=pending.lead_id,
        preferred_times=preferred,
        why_no_meeting=why_no_meeting,
        lead_url=f"{public_url}/ops/leads/{pending.lead_id}" if pending.lead_id else None,
        **meeting,
        **lead_fields,
    )


def _glossed_answers(connection: Any, lead_id: int) -> Tuple[GlossedAnswer, ...]:
    """The lead's answers that have a gloss, the latest to each question, in the order given."""
    rows = connection.execute(
        select(Answer.question, Answer.parser, Answer.raw_text, Answer.value)
        .join(Conversation, Answer.conversation_id == Conversation.id)
        .where(Conversation.lead_id == lead_id, Answer.answered_at.is_not(None))
        .order_by(Answer.id)
    ).all()
    latest: Dict[str, GlossedAnswer] = {}
    for question, parser, words, value in rows:
        english = gloss(parser, value) if question not in _NOT_GLOSSED else None
        if english and words:
            latest.pop(question, None)  # a later answer moves the question to where it was given
            latest[question] = GlossedAnswer(question, str(words)[:MAX_WORDS_CHARS], english)
    return tuple(latest.values())


def _use_case(connection: Any, lead_id: int) -> str | None:
    text = connection.execute(
        select(Answer.raw_text)
        .join(Conversation, Answer.conversation_id == Conversation.id)
        .where(Conversation.lead_id == lead_id, Answer.question == "use_case")
        .order_by(Answer.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    return str(text)[:MAX_QUOTE_CHARS] if text else None


def meeting_line(alert: Alert) -> str | None:
    if alert.meeting_start is None:
        return None
    zone = ZoneInfo(alert.ae_timezone or "UTC")
    start, end = alert.meeting_start.astimezone(zone), (alert.meeting_end or alert.meeting_start).astimezone(zone)
    return f"{start:%a %d %b, %H:%M}–{end:%H:%M} ({alert.ae_timezone or 'UTC'})"


def company_line(alert: Alert) -> str:
    """``Alpenwerk · 3,500 people · Germany``, as the visitor gave it (unescaped)."""
    line = alert.company or "company not given"
    line += f" · {alert.company_size:,} people" if alert.company_size else ""
    return line + (f" · {alert.country}" if alert.country else "")


def plain_text(alert: Alert) -> str:
    """The notification's fallback text (push notifications, the local inbox)."""
    who = escape(alert.name or "A visitor") + (f" ({escape(alert.company)})" if alert.company else "")
    when = meeting_line(alert)
    return f"{alert.title}: {who}" + (f", {when}" if when else "")


def slack_blocks(alert: Alert) -> List[Dict[str, Any]]:
    """The Block Kit message: header, who, why, the meeting, their words, the lead link."""
    header = f"{alert.title}: {alert.company or alert.name or 'a visitor'}" + (
        f" · {alert.tier.upper()}" if alert.tier else ""
    )
    who = [
        f"*{escape(alert.name or 'Unknown')}*" + (f", {escape(alert.role)}" if alert.role else ""),
        escape(company_line(alert)),
    ]
    if alert.email:
        who.append(escape(alert.email))
    blocks: List[Dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header[:150], "emoji": False}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(who)}},
    ]
    if alert.score is not None or alert.reasons:
        why = f"*Why:* score {alert.score}" + "".join(f"\n• {escape(r)}" for r in alert.reasons)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": why[:3000]}})
    when = meeting_line(alert)
    if when:
        meeting = f"*Meeting:* {when}" + (f"\n<{alert.meet_link}|Join with Google Meet>" if alert.meet_link else "")
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": meeting}})
    if alert.preferred_times:
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"*Times that suit them:* {escape(alert.preferred_times)}"},
            }
        )
    if alert.use_case:
        blocks.append(
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*In their words:* {escape(alert.use_case)}"}}
        )
    if alert.language != DEFAULT_LANGUAGE:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": language_text(alert)[:3000]}})
    if alert.lead_url:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"<{alert.lead_url}|Open the lead>"}]}
        )
    if alert.lead_id and alert.kind != "meeting_cancelled":
        blocks.append(action_buttons(f"{alert.lead_id}:{alert.booking_id or ''}", reassign=bool(alert.booking_id)))
    return blocks


def language_text(alert: Alert) -> str:
    """The visitor's language, and each answer in their words (escaped) with its English gloss."""
    lines = [f"*Chatted in {escape(alert.language_name)}*" + (" (their words → in English):" if alert.answers else "")]
    lines += [f"• {escape(a.label)}: {escape(a.words)} → {escape(a.gloss)}" for a in alert.answers]
    return "\n".join(lines)


#: Why an AE marks a lead "Not a fit": reason code → what the menu shows.
NOT_A_FIT_REASONS = {
    "too_small": "Too small for us",
    "no_budget": "No budget",
    "no_need": "No real need",
    "wrong_region": "Region we don't serve",
    "competitor": "A competitor",
    "existing_customer": "Already a customer",
    "job_seeker": "Job seeker or student",
    "spam": "Spam or a test",
    "other": "Other",
}


def action_buttons(value: str, reassign: bool) -> Dict[str, Any]:
    """Accept, Reassign (a booked meeting only) and a "Not a fit…" menu of
    reasons; handled by /slack/actions. ``value`` is ``lead_id:booking_id``."""

    def button(action_id: str, text: str, style: str | None = None) -> Dict[str, Any]:
        element: Dict[str, Any] = {"type": "button", "action_id": action_id, "value": value,
                                   "text": {"type": "plain_text", "text": text}}  # fmt: skip
        if style:
            element["style"] = style
        return element

    elements = [button("accept", "Accept", "primary")]
    if reassign:
        elements.append(button("reassign", "Reassign"))
    elements.append(
        {
            "type": "static_select",
            "action_id": "not_a_fit",
            "placeholder": {"type": "plain_text", "text": "Not a fit…"},
            "options": [
                {"text": {"type": "plain_text", "text": label}, "value": f"{value}:{code}"}
                for code, label in NOT_A_FIT_REASONS.items()
            ],
        }
    )
    return {"type": "actions", "elements": elements}
