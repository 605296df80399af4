"""``action_lead``: the reply to any message no form takes, decided by :mod:`bot.conversation.director`.

The action reads the tracker into a :class:`Situation` and a :class:`Heard`, asks the
director, says what it decides, and carries out its side effects (consent kept or
declined, a knock-out recorded). ``next_step`` tells the rules what runs after it: the
questions, the booking, or nothing until the visitor speaks.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions.consent import CONSENT_SLOT, decline_events, record_consent
from actions.contact import TIER_SLOT, link_values, utter_contact_route
from actions.runtime import services, session_events, store_call, tracker_answers, visitor_language
from bot.conversation.director import (
    BOOKING,
    KNOCKOUT_CLOSE,
    LISTEN,
    WHY_FOR_QUESTION,
    Heard,
    Reply,
    Situation,
    decide,
)
from bot.conversation.knockouts import knockout_in_message
from bot.conversation.messages import is_instruction, looks_like_question
from bot.leads.store import AnswerRecord
from bot.qualification.corrections import find_corrections, is_correction
from bot.qualification.understand import understand
from bot.scoring.policy import Tier, close_response
from bot.scoring.score import knockout_of, score

QUALIFIED_SLOT = "qualification_done"
NEXT_STEP_SLOT = "next_step"
PENDING_SLOT = "pending_offer"
MISSES_SLOT = "misses"
LAST_SIDE_SLOT = "last_side"
ASKS_SLOT = "lead_asks"
KNOCKOUT_SLOT = "knockout"
FORM = "qualification_form"


def situation_of(tracker: Tracker) -> Situation:
    consent = tracker.get_slot(CONSENT_SLOT)
    asks = tracker.get_slot(ASKS_SLOT)
    return Situation(
        consent=consent if isinstance(consent, bool) else None,
        qualified=bool(tracker.get_slot(QUALIFIED_SLOT)),
        tier=tracker.get_slot(TIER_SLOT),
        in_form=(tracker.active_loop or {}).get("name") == FORM,
        pending=tracker.get_slot(PENDING_SLOT),
        misses=int(tracker.get_slot(MISSES_SLOT) or 0),
        last_side=tracker.get_slot(LAST_SIDE_SLOT),
        asks={str(k): int(v) for k, v in asks.items() if isinstance(v, (int, float))} if isinstance(asks, dict) else {},
        requested=tracker.get_slot(REQUESTED_SLOT),
        first_turn=not any(event.get("event") == "bot" for event in session_events(tracker)),
        knocked_out=tracker.get_slot(KNOCKOUT_SLOT),
        reopenable=_knocked_out_by_message(tracker),
    )


def _knocked_out_by_message(tracker: Tracker) -> bool:
    """The knock-out was read from a message, not from the answers ("student" as the role):
    a misreading the visitor may take back."""
    if not tracker.get_slot(KNOCKOUT_SLOT):
        return False
    return knockout_of(tracker_answers(tracker), services().scoring) is None


def heard_of(tracker: Tracker) -> Heard:
    message = tracker.latest_message or {}
    intent = message.get("intent") or {}
    text = str(message.get("text") or "")
    name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
    knockout = None
    if not text.startswith("/"):  # a button is never a knock-out
        found = knockout_in_message(services().scoring, text, name, confidence)
        knockout = found.id if found else None
    return Heard(
        intent=name,
        confidence=confidence,
        knockout=knockout,
        instruction=is_instruction(text),
        question=looks_like_question(text),
        correction=not text.startswith("/") and is_correction(text),
    )


class ActionLead(Action):
    """Answers, and always offers the next step (see :mod:`bot.conversation.director`)."""

    def name(self) -> str:
        return "action_lead"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        situation = situation_of(tracker)
        reply = decide(situation, heard_of(tracker))
        events: List[EventType] = []
        if reply.record_consent:
            events += await record_consent(tracker)
        if reply.decline_consent:
            events += await decline_events(tracker)
        next_step = reply.next_step
        if reply.apply_correction:
            corrected, next_step = await correct_after_close(dispatcher, tracker)
            events += corrected
        self._say(dispatcher, tracker, reply)
        events += [
            SlotSet(NEXT_STEP_SLOT, next_step),
            SlotSet(PENDING_SLOT, reply.pending),
            SlotSet(MISSES_SLOT, float(reply.misses)),
            SlotSet(LAST_SIDE_SLOT, reply.last_side),
        ]
        if reply.asks is not None:
            events.append(SlotSet(ASKS_SLOT, dict(reply.asks)))
        if reply.knockout:
            events.append(SlotSet(KNOCKOUT_SLOT, reply.knockout))
        if reply.reopen:
            await store_call(services().leads.record_knockout, tracker.sender_id, None)
            events += [SlotSet(KNOCKOUT_SLOT, None), SlotSet(QUALIFIED_SLOT, False), SlotSet(TIER_SLOT, None)]
        return events

    @staticmethod
    def _say(dispatcher: CollectingDispatcher, tracker: Tracker, reply: Reply) -> None:
        svc = services()
        links = link_values(svc.scoring)
        for say in reply.say:
            if say.response == WHY_FOR_QUESTION:
                question = svc.playbook.question(tracker.get_slot(REQUESTED_SLOT))
                why = question.why_in(visitor_language(tracker)) if question else None
                dispatcher.utter_message(text=why) if why else dispatcher.utter_message(response="utter_why_generic")
            elif say.response == KNOCKOUT_CLOSE:
                knockout = next(k for k in svc.scoring.knockouts if k.id == reply.knockout)
                dispatcher.utter_message(response=close_response(svc.scoring, knockout.tier, knockout.id), **links)
            elif say.response:
                dispatcher.utter_message(response=say.response, **{**links, **dict(say.values)})
            elif say.text:
                dispatcher.utter_message(text=say.text)
        if reply.contact_route:
            utter_contact_route(dispatcher, tracker)


async def correct_after_close(dispatcher: CollectingDispatcher, tracker: Tracker) -> tuple[List[EventType], str]:
    """A correction after the last question: the answers change, the lead is scored again
    with the change in its history, and a visitor who now qualifies is offered times."""
    svc = services()
    text = str((tracker.latest_message or {}).get("text") or "")
    answered = {q.parser.value: q for q in svc.playbook.questions if tracker.get_slot(q.slot) is not None}
    records, changes = [], []
    name = answered.get("name")
    earlier_name = tracker.get_slot(name.slot) if name is not None else None
    for parser, piece in find_corrections(text, answered, earlier_name=earlier_name).items():
        question = answered[parser]
        value = understand(question.parser, piece, svc.clock.now().date())
        if value is not None and value != tracker.get_slot(question.slot):
            records.append(AnswerRecord(question.slot, parser, piece, value, True))
            changes.append(question)
    if not records:
        dispatcher.utter_message(response="utter_correction_unclear")
        dispatcher.utter_message(response="utter_menu")
        return [], LISTEN
    await store_call(svc.leads.record_turn, tracker.sender_id, records, None, visitor_language(tracker))
    answers = tracker_answers(tracker, {r.question: r.value for r in records})
    stored = await store_call(svc.leads.stored_conversation, tracker.sender_id)
    result = score(stored[0] if stored else answers, svc.scoring, stored[1] if stored else None)
    note = "corrected: " + ", ".join(q.spoken for q in changes)
    await store_call(svc.leads.record_score, tracker.sender_id, result, "corrected", note)
    fields = ", ".join(q.spoken_in(visitor_language(tracker)) for q in changes)
    dispatcher.utter_message(response="utter_correction_noted", fields=fields)
    events: List[EventType] = [SlotSet(r.question, r.value) for r in records] + [SlotSet(TIER_SLOT, result.tier.value)]
    if result.tier is Tier.CQL and tracker.get_slot(TIER_SLOT) != Tier.CQL.value:
        return events, BOOKING
    dispatcher.utter_message(response="utter_menu")
    return events, LISTEN
