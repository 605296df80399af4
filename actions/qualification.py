"""The qualification form: which question comes next, what an answer means,
and when to re-ask.

The questions and their order come from ``ops/questions.yml`` (the
playbook), so this module has no per-question code: each question's parser
decides how its answer is understood.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from actions.runtime import latest_intent, services, store_call
from bot.leads.store import AnswerRecord
from bot.playbook import Parser, Question
from bot.qualification.extract import find_answers
from bot.qualification.understand import answers_clearly, kept_as_typed, understand

# The answers recorded while validate_qualification_form runs, stored in one go at its end.
TURN_ANSWERS: ContextVar[List[AnswerRecord] | None] = ContextVar("turn_answers", default=None)

REASKED_SLOT = "reasked_slots"
FREE_EMAIL_WARNED_SLOT = "free_email_warned"

#: Intents with a mid-form rule (data/rules/form.yml). A message classified as
#: one of them is left to that rule unless it clearly answers the question.
SIDE_INTENTS = frozenset(
    {
        "ask_pricing", "ask_product", "ask_integrations", "ask_is_bot", "ask_why", "ask_privacy",
        "request_human", "chitchat", "out_of_scope", "emoji_only", "stop", "goodbye",
        "give_consent", "deny_consent",
    }
)  # fmt: skip
#: Below this confidence a side-question intent does not outweigh the question on the table.
SIDE_INTENT_CONFIDENCE = 0.6


def texts_to_scan(tracker: Tracker) -> List[str]:
    """The visitor's words that may hold answers: before the form has asked
    anything, everything said this session (the opening often answers several
    questions); after that, the latest message only."""
    if tracker.get_slot(REQUESTED_SLOT) is not None:
        text = tracker.latest_message.get("text")
        return [text] if isinstance(text, str) and not text.startswith("/") else []
    texts = []
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            break
        text = event.get("text") if event.get("event") == "user" else None
        if isinstance(text, str) and not text.startswith("/"):
            texts.append(text)
    return list(reversed(texts))


class ValidateQualificationForm(FormValidationAction):
    """Extracts and validates every playbook question's answer."""

    def name(self) -> str:
        return "validate_qualification_form"

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        return services().playbook.slots

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> EventType | None:
        missing = (slot for slot in services().playbook.slots if tracker.slots.get(slot) is None)
        return SlotSet(REQUESTED_SLOT, next(missing, None))

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """Validates the turn; its answers and the next question asked are stored in one transaction."""
        answers: List[AnswerRecord] = []
        token = TURN_ANSWERS.set(answers)
        try:
            events = await super().run(dispatcher, tracker, domain)
        finally:
            TURN_ANSWERS.reset(token)
        asked = next((e["value"] for e in events if e.get("event") == "slot" and e.get("name") == REQUESTED_SLOT), None)
        if answers or asked:
            await store_call(services().leads.record_turn, tracker.sender_id, answers, asked)
        return events

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Fills unanswered questions that the visitor's words clearly answer."""
        found: Dict[str, str] = {}
        for text in texts_to_scan(tracker):
            found.update(find_answers(text))
        playbook = services().playbook
        requested = playbook.question(tracker.get_slot(REQUESTED_SLOT))
        events = [
            SlotSet(question.slot, found[question.parser.value])
            for question in playbook.questions
            if question.parser.value in found and question is not requested and tracker.get_slot(question.slot) is None
        ]
        text = tracker.latest_message.get("text")
        if requested is not None and isinstance(text, str) and self._answers(requested, text, tracker):
            events.append(SlotSet(requested.slot, text))
        return events

    @staticmethod
    def _answers(question: Question, text: str, tracker: Tracker) -> bool:
        """Whether the latest message answers ``question`` rather than asking
        something of its own. Returning False lets the form step aside, so the
        side question's rule answers it and the form then asks again."""
        if not text.strip() or text.startswith("/"):
            return False  # a button payload or command is never an answer
        intent = tracker.latest_message.get("intent") or {}
        if intent.get("name") not in SIDE_INTENTS or (intent.get("confidence") or 0.0) < SIDE_INTENT_CONFIDENCE:
            return True
        return answers_clearly(question.parser, understand(question.parser, text, services().clock.now().date()))

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        playbook = services().playbook
        updates: Dict[str, Any] = {}
        for slot, value in tracker.slots_to_validate().items():
            question = playbook.question(slot)
            if question is None:
                continue
            result = await self._validate(question, value, dispatcher, tracker)
            updates.update(result)
            tracker.slots.update(result)
        return [SlotSet(slot, value) for slot, value in updates.items()]

    async def _validate(
        self, question: Question, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[str, Any]:
        if value is None or isinstance(value, dict):
            return {question.slot: value}  # already understood, or kept as typed
        svc = services()
        text = value if isinstance(value, str) else str(value)
        requested = tracker.get_slot(REQUESTED_SLOT) == question.slot
        non_english = latest_intent(tracker) == "non_english"
        understood = understand(question.parser, text, svc.clock.now().date())
        reasked = list(tracker.get_slot(REASKED_SLOT) or [])

        if question.parser is Parser.EMAIL and understood is not None:
            if understood["kind"] == "disposable":
                understood = None
            elif understood["kind"] == "free" and requested and not tracker.get_slot(FREE_EMAIL_WARNED_SLOT):
                await self._record(tracker, question, text, None, parsed=False)
                dispatcher.utter_message(response="utter_ask_work_email_instead")
                return {question.slot: None, FREE_EMAIL_WARNED_SLOT: True, REASKED_SLOT: reasked + [question.slot]}

        if understood is not None and not (non_english and question.parser is Parser.TEXT):
            await self._record(tracker, question, text, understood, parsed=True)
            return {question.slot: understood}
        if not requested:
            return {question.slot: None}  # a guess from another answer that did not hold
        if question.slot in reasked:
            kept = kept_as_typed(question.parser, text)
            await self._record(tracker, question, text, kept, parsed=False)
            return {question.slot: kept}
        await self._record(tracker, question, text, None, parsed=False)
        if non_english:
            dispatcher.utter_message(response="utter_non_english")
        else:
            dispatcher.utter_message(text=question.hint)
        return {question.slot: None, REASKED_SLOT: reasked + [question.slot]}

    @staticmethod
    async def _record(tracker: Tracker, question: Question, text: str, value: Any, parsed: bool) -> None:
        record = AnswerRecord(
            question=question.slot, parser=question.parser.value, raw_text=text, value=value, parsed=parsed
        )
        turn = TURN_ANSWERS.get()
        if turn is not None:
            turn.append(record)  # stored with the rest of the turn by run()
        else:
            await store_call(services().leads.record_answer, tracker.sender_id, record)
