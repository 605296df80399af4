"""What a conversation's tracker says the lead store should hold.

Rasa's tracker keeps every event of a conversation, written by the Rasa server
whether or not the lead store took the action's writes. Replaying the latest
session's events (the slots our actions set, the visitor's messages, the
actions that ran) gives the consent, answers, knock-out and outcome the lead
store should have, so a store that missed writes can be brought level
(:mod:`bot.leads.repair`).

Only slots our own actions set are read: the question slots have custom
mappings (nothing a visitor types fills them directly), and every value is cut
to the store's limits before it is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Dict, Mapping, Sequence, Tuple

from bot.languages import DEFAULT_LANGUAGE, LANGUAGE_SLOT, language_of
from bot.leads.transcripts import CONSENT_SLOT
from bot.qualification.understand import SKIPPED

KNOCKOUT_SLOT = "knockout"
QUALIFIED_SLOT = "qualification_done"
REQUESTED_SLOT = "requested_slot"
PAGE_URL_SLOT = "page_url"
UTM_SLOT = "utm"
TIMEZONE_SLOT = "visitor_timezone"
#: The actions that end the questions, and the outcome each one stores.
OUTCOMES = {"action_submit_qualification": "completed", "action_stop_qualification": "stopped"}


@dataclass(frozen=True)
class ReplayedAnswer:
    question: str
    parser: str
    raw_text: str | None
    value: Any
    parsed: bool
    answered_at: datetime
    asked_at: datetime | None


@dataclass(frozen=True)
class ReplayedConversation:
    """The lead store's view of one conversation, as its tracker tells it."""

    sender_id: str
    #: True once the visitor agreed, False when they declined or withdrew, None when never asked.
    consent: bool | None
    consent_at: datetime | None
    #: When the visitor last declined or withdrew (the consent slot set to False).
    declined_at: datetime | None
    started_at: datetime
    last_activity_at: datetime
    answers: Tuple[ReplayedAnswer, ...] = ()
    #: Questions asked and not answered yet, with when they were first asked.
    asked: Mapping[str, datetime] = field(default_factory=dict)
    knockout: str | None = None
    knockout_at: datetime | None = None
    outcome: str | None = None
    ended_at: datetime | None = None
    #: Whether the conversation was scored (every question answered, or a knock-out).
    qualified: bool = False
    page_url: str | None = None
    utm: Mapping[str, str] = field(default_factory=dict)
    browser_timezone: str | None = None
    #: The conversation's language as its latest turn left it (one the bot speaks, else the default).
    language: str = DEFAULT_LANGUAGE


def _at(event: Mapping[str, Any]) -> datetime | None:
    stamp = event.get("timestamp")
    if isinstance(stamp, (int, float)) and not isinstance(stamp, bool) and 0 < stamp < 1e11:
        return datetime.fromtimestamp(stamp, UTC)
    return None


def _answered(value: Any) -> bool:
    """Whether a question slot holds an answer: not empty, and not a question skipped after
    two asks (kept in the tracker so it is not asked again, never stored as an answer)."""
    if value is None or value == SKIPPED:
        return False
    return not (isinstance(value, dict) and value.get("raw") == SKIPPED and value.get("understood") is False)


def _parsed(value: Any) -> bool:
    """An answer kept as typed (not understood twice, or skipped) is not parsed."""
    if isinstance(value, dict):
        return value.get("understood") is not False
    return value != SKIPPED


def replay(
    sender_id: str, events: Sequence[Mapping[str, Any]], questions: Mapping[str, str]
) -> ReplayedConversation | None:
    """The conversation ``events`` (a tracker's, oldest first: every session, or the latest
    one as an action receives it; slots carry over from one session to the next) describe,
    for ``questions`` (slot → parser); None when there are no timed events."""
    session = [event for event in events if isinstance(event, Mapping)]
    times = [at for at in (_at(event) for event in session) if at is not None]
    if not times:
        return None
    slots: Dict[str, Any] = {}
    slot_at: Dict[str, datetime] = {}
    said_at_slot: Dict[str, str | None] = {}
    asked: Dict[str, datetime] = {}
    consent_at: datetime | None = None
    declined_at: datetime | None = None
    knockout_at: datetime | None = None
    outcome: Tuple[str, datetime] | None = None
    last_text: str | None = None
    last_activity = times[0]
    for event in session:
        kind, at = event.get("event"), _at(event) or last_activity
        if kind == "user":
            text = event.get("text")
            last_text = text if isinstance(text, str) else None
            last_activity = max(last_activity, at)
        elif kind == "action" and event.get("name") in OUTCOMES:
            outcome = OUTCOMES[str(event.get("name"))], at
        elif kind == "slot" and isinstance(event.get("name"), str):
            name, value = str(event["name"]), event.get("value")
            if name == CONSENT_SLOT and value is True and slots.get(CONSENT_SLOT) is not True:
                consent_at = at
            if name == CONSENT_SLOT and value is False:
                declined_at = at
            if name == KNOCKOUT_SLOT:
                knockout_at = at
            if name == REQUESTED_SLOT and isinstance(value, str) and value in questions:
                asked.setdefault(value, at)
            if name in questions and _answered(value) and value != slots.get(name):
                slot_at[name], said_at_slot[name] = at, last_text
            slots[name] = value
        elif kind == "restart":
            slots.clear()
    consent = slots.get(CONSENT_SLOT)
    answers = tuple(
        ReplayedAnswer(
            question=slot,
            parser=parser,
            raw_text=said_at_slot.get(slot),
            value=slots[slot],
            parsed=_parsed(slots[slot]),
            answered_at=slot_at[slot],
            asked_at=asked.get(slot),
        )
        for slot, parser in questions.items()
        if _answered(slots.get(slot)) and slot in slot_at
    )
    utm = slots.get(UTM_SLOT)
    knockout = slots.get(KNOCKOUT_SLOT)
    page_url = slots.get(PAGE_URL_SLOT)
    zone = slots.get(TIMEZONE_SLOT)
    return ReplayedConversation(
        sender_id=sender_id,
        consent=consent if isinstance(consent, bool) else None,
        consent_at=consent_at if consent is True else None,
        declined_at=declined_at if consent is False else None,
        started_at=times[0],
        last_activity_at=last_activity,
        answers=answers,
        asked={slot: at for slot, at in asked.items() if not _answered(slots.get(slot))},
        knockout=knockout if isinstance(knockout, str) and knockout else None,
        knockout_at=knockout_at,
        outcome=outcome[0] if outcome else None,
        ended_at=outcome[1] if outcome else None,
        qualified=slots.get(QUALIFIED_SLOT) is True,
        page_url=page_url if isinstance(page_url, str) else None,
        utm={str(k): str(v) for k, v in utm.items()} if isinstance(utm, dict) else {},
        browser_timezone=zone if isinstance(zone, str) else None,
        language=language_of(slots.get(LANGUAGE_SLOT)),
    )
