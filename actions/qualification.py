"""The qualification form: which question comes next, what an answer means,
and when to re-ask.

The questions and their order come from ``ops/questions.yml`` (the
playbook), so this module has no per-question code: each question's parser
decides how its answer is understood. The conversation's principles hold here:

- **The question on the table wins.** The visitor's text answers it unless it
  is clearly a question of their own (the form steps aside for the director to
  answer, then asks again), an instruction aimed at the bot, or a knock-out.
- **Knock-outs end the questions at once**: a knock-out message, or an answer
  that knocks out (a student's role, a competitor's domain), closes the form
  and the visitor gets the knock-out's route.
- **Corrections** ("actually we're 50, not 500") change the earlier answer; the
  question on the table stays.
- **No question is asked a third time**: after two asks it is skipped, kept
  as unanswered.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from actions.runtime import (
    latest_intent,
    services,
    session_events,
    store_call,
    tracker_answers,
    visitor_language,
)
from answers.normalise import Seniority, is_refusal
from bot.conversation.knockouts import knockout_in_message
from bot.conversation.messages import (
    is_filler,
    is_instruction,
    is_puzzled,
    looks_like_company,
    looks_like_name,
    looks_like_question,
    looks_like_request,
)
from bot.languages import LANGUAGE_SLOT, LANGUAGELESS_ANSWERS, language_before_turn
from bot.leads.store import AnswerRecord
from bot.playbook import Parser, Question
from bot.qualification.answers import Answer
from bot.qualification.corrections import find_corrections
from bot.qualification.extract import find_answers
from bot.qualification.understand import SKIPPED, TEXT_PARSERS, answers_clearly, kept_as_typed, understand
from bot.scoring.score import knockout_of

# The answers recorded while validate_qualification_form runs, stored in one go at its end.
TURN_ANSWERS: ContextVar[List[AnswerRecord] | None] = ContextVar("turn_answers", default=None)
# The questions this turn's message corrects: a correction that does not parse keeps the old answer.
TURN_CORRECTED: ContextVar[Dict[str, Any] | None] = ContextVar("turn_corrected", default=None)
# Events of this turn decided while choosing the next question (skipped questions).
TURN_EXTRA: ContextVar[List[EventType] | None] = ContextVar("turn_extra", default=None)
# Whether this turn's message is not an answer (a question of the visitor's own): the form steps aside.
TURN_ASIDE: ContextVar[List[bool] | None] = ContextVar("turn_aside", default=None)
#: Slots the form sets for itself; a turn that sets only these has taken no answer.
BOOKKEEPING = frozenset({REQUESTED_SLOT})

REASKED_SLOT = "reasked_slots"
FREE_EMAIL_WARNED_SLOT = "free_email_warned"
KNOCKOUT_SLOT = "knockout"
ASK_PREFIX = "utter_ask_"
#: A question is put at most this many times; then it is kept unanswered.
MAX_ASKS = 2

#: Intents with a mid-form rule or a reply of the director's. A message classified as
#: one of them is left to it unless it clearly answers the question.
SIDE_INTENTS = frozenset(
    {
        "ask_pricing", "ask_product", "ask_integrations", "ask_is_bot", "ask_why", "ask_privacy",
        "request_human", "chitchat", "out_of_scope", "emoji_only", "stop", "goodbye",
        "give_consent", "deny_consent", "request_demo", "just_browsing", "switch_language",
    }
)  # fmt: skip
#: Of those, the ones that leave or pause the questions: taken as said, unless the text is a name.
LEAVING_INTENTS = frozenset({"stop", "goodbye", "give_consent", "deny_consent"})
#: Below this confidence a side-question intent does not outweigh the question on the table.
SIDE_INTENT_CONFIDENCE = 0.6
#: Seniority levels a title plainly names: enough to move an answer given for another question.
SENIOR = frozenset(
    {Seniority.C_LEVEL, Seniority.VP, Seniority.HEAD, Seniority.DIRECTOR, Seniority.FOUNDER, Seniority.MANAGER}
)

#: A visitor's request for another language ("can we do this in English?"): it is kept.
SWITCH_LANGUAGE = "switch_language"


def texts_to_scan(tracker: Tracker) -> List[str]:
    """The visitor's words that may hold answers: before the form has asked
    anything, everything said this session (the opening often answers several
    questions); after that, the latest message only."""
    if tracker.get_slot(REQUESTED_SLOT) is not None:
        text = tracker.latest_message.get("text")
        return [text] if isinstance(text, str) and not text.startswith("/") else []
    texts = (event.get("text") for event in session_events(tracker) if event.get("event") == "user")
    return [text for text in texts if isinstance(text, str) and not text.startswith("/")]


FORM_NAME = "qualification_form"


def _company_said(tracker: Tracker) -> str | None:
    question = next((q for q in services().playbook.questions if q.parser is Parser.COMPANY), None)
    value = tracker.get_slot(question.slot) if question else None
    return value.strip().lower() if isinstance(value, str) else None


def _unanswered(value: Any) -> bool:
    return value is None or (isinstance(value, dict) and value.get("understood") is False)


def times_asked(tracker: Tracker) -> Dict[str, int]:
    """How often each question was put this session: the bot's messages that are its
    ``utter_ask_<slot>`` response (Rasa notes the response each message came from)."""
    counts: Dict[str, int] = {}
    for event in session_events(tracker):
        response = (event.get("metadata") or {}).get("utter_action") if event.get("event") == "bot" else None
        if isinstance(response, str) and response.startswith(ASK_PREFIX):
            slot = response[len(ASK_PREFIX) :]
            counts[slot] = counts.get(slot, 0) + 1
    return counts


def _new_message(tracker: Tracker) -> bool:
    """Whether the form runs on a message just received, not on its return after a side
    answer or at its start. Rasa hands the validation a tracker that ends with the form's
    own run, so the action before that one tells."""
    for event in reversed(tracker.events):
        if event.get("event") == "action" and event.get("name") != FORM_NAME:
            return event.get("name") == "action_listen"
    return False


class ValidateQualificationForm(FormValidationAction):
    """Extracts and validates every playbook question's answer."""

    def name(self) -> str:
        return "validate_qualification_form"

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        return [] if tracker.get_slot(KNOCKOUT_SLOT) else services().playbook.slots

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> EventType | None:
        """The first unanswered question, unless it was put twice already (then it is kept
        unanswered and the next one comes); None once all are answered, or a knock-out."""
        if tracker.get_slot(KNOCKOUT_SLOT):
            return SlotSet(REQUESTED_SLOT, None)
        counts = times_asked(tracker)
        extra = TURN_EXTRA.get()
        for question in services().playbook.questions:
            if tracker.slots.get(question.slot) is not None:
                continue
            if counts.get(question.slot, 0) >= MAX_ASKS:
                tracker.slots[question.slot] = kept_as_typed(question.parser, SKIPPED)
                if extra is not None:
                    extra.append(SlotSet(question.slot, tracker.slots[question.slot]))
                continue
            return SlotSet(REQUESTED_SLOT, question.slot)
        return SlotSet(REQUESTED_SLOT, None)

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """Validates the turn; its answers and the next question asked are stored in one transaction."""
        svc = services()
        if _new_message(tracker) and tracker.get_slot(REQUESTED_SLOT) is not None:
            knockout = self._message_knockout(tracker)
            if knockout is not None:
                await store_call(svc.leads.record_knockout, tracker.sender_id, knockout)
                return [SlotSet(KNOCKOUT_SLOT, knockout), SlotSet(REQUESTED_SLOT, None)]
        answers: List[AnswerRecord] = []
        extra: List[EventType] = []
        aside: List[bool] = []
        tokens = TURN_ANSWERS.set(answers), TURN_CORRECTED.set({}), TURN_EXTRA.set(extra), TURN_ASIDE.set(aside)
        try:
            events = await super().run(dispatcher, tracker, domain)
        finally:
            TURN_ANSWERS.reset(tokens[0])
            TURN_CORRECTED.reset(tokens[1])
            TURN_EXTRA.reset(tokens[2])
            TURN_ASIDE.reset(tokens[3])
        if aside and all(e.get("event") != "slot" or e.get("name") in BOOKKEEPING for e in events):
            return []  # no answer at all: the form steps aside (Rasa rejects it) and asks again later
        events = extra + events
        knocked = knockout_of(tracker_answers(tracker), svc.scoring)
        if knocked is not None:  # an answer knocks out (a student's role, a competitor's company): close now
            events += [SlotSet(KNOCKOUT_SLOT, knocked), SlotSet(REQUESTED_SLOT, None)]
        asked = next(
            (e["value"] for e in reversed(events) if e.get("event") == "slot" and e.get("name") == REQUESTED_SLOT), None
        )
        language = visitor_language(tracker)
        earlier = language_before_turn(tracker.events)
        asked_for_it = (tracker.latest_message.get("intent") or {}).get("name") == SWITCH_LANGUAGE
        if earlier is not None and not asked_for_it and tracker.get_slot(REQUESTED_SLOT) in LANGUAGELESS_ANSWERS:
            events.append(SlotSet(LANGUAGE_SLOT, earlier))  # a name or an email: the language stays
            language = earlier
        if answers or asked:
            await store_call(svc.leads.record_turn, tracker.sender_id, answers, asked, language)
        return events

    @staticmethod
    def _message_knockout(tracker: Tracker) -> str | None:
        """A knock-out the latest message is, by its intent or its knock-out words."""
        message = tracker.latest_message or {}
        text = str(message.get("text") or "")
        intent = message.get("intent") or {}
        policy = services().scoring
        if text.startswith("/") or looks_like_name(text):
            return None  # a button; or "Hiring Hub", "Student Loans Inc": a company's name, not a job seeker
        found = knockout_in_message(
            policy, text, intent.get("name"), float(intent.get("confidence") or 0.0), in_form=True
        )
        return found.id if found is not None else None

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Fills unanswered questions that the visitor's words clearly answer, and the
        earlier answers the latest message corrects."""
        if not _new_message(tracker) and tracker.get_slot(REQUESTED_SLOT) is not None:
            return []  # back after a side answer: nothing new was said
        playbook = services().playbook
        requested = playbook.question(tracker.get_slot(REQUESTED_SLOT))
        text = tracker.latest_message.get("text")
        corrections = self._corrections(tracker, requested)
        if corrections:
            return corrections
        found: Dict[str, str] = {}
        for said in texts_to_scan(tracker):
            found.update(find_answers(said))
        events = [
            SlotSet(question.slot, found[question.parser.value])
            for question in playbook.questions
            if question.parser.value in found and question is not requested and tracker.get_slot(question.slot) is None
        ]
        if requested is not None and isinstance(text, str):
            if self._answers(requested, text, tracker):
                events.append(SlotSet(requested.slot, text))
            elif (aside := TURN_ASIDE.get()) is not None:
                aside.append(True)
        return events

    def _corrections(self, tracker: Tracker, requested: Question | None) -> List[EventType]:
        """The earlier answers the latest message corrects, as slots to validate again."""
        text = tracker.latest_message.get("text")
        if requested is None or not isinstance(text, str) or text.startswith("/"):
            return []
        answered = {
            q.parser.value: q for q in services().playbook.questions if q is not requested and tracker.get_slot(q.slot)
        }
        name = answered.get("name")
        earlier_name = tracker.get_slot(name.slot) if name is not None else None
        pieces = find_corrections(text, answered, requested.parser.value, earlier_name)
        corrected = TURN_CORRECTED.get()
        events: List[EventType] = []
        for parser, piece in pieces.items():
            question = answered[parser]
            if corrected is not None:
                corrected[question.slot] = tracker.get_slot(question.slot)
            events.append(SlotSet(question.slot, piece))
        return events

    @staticmethod
    def _answers(question: Question, text: str, tracker: Tracker) -> bool:
        """Whether the latest message answers ``question`` rather than asking
        something of its own. Returning False lets the form step aside, so the
        director answers and the form then asks again."""
        if not text.strip() or text.startswith("/"):
            return False  # a button payload or command is never an answer
        if is_instruction(text):
            return False
        if is_puzzled(text):
            return True  # "wat?": not an answer, but the form's to handle (its hint, then the question again)
        intent = tracker.latest_message.get("intent") or {}
        name, confidence = intent.get("name"), float(intent.get("confidence") or 0.0)
        if name not in SIDE_INTENTS or confidence < SIDE_INTENT_CONFIDENCE:
            return True
        if looks_like_question(text) and not looks_like_name(text):
            return False  # "ok but what's the price?": answered first, then the question again
        if answers_clearly(question.parser, understand(question.parser, text, services().clock.now().date())):
            return True
        if question.parser in TEXT_PARSERS and looks_like_name(text):
            return True  # "Acme Robotics", "Human Interest", "Stop Gap Solutions"
        if name in LEAVING_INTENTS:
            return False
        return question.parser in TEXT_PARSERS and not (looks_like_question(text) or looks_like_request(text))

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
        corrected = TURN_CORRECTED.get() or {}
        changed = [slot for slot in corrected if updates.get(slot) is not None and updates[slot] != corrected[slot]]
        if changed:
            language = visitor_language(tracker)
            labels = ", ".join(playbook.question(slot).spoken_in(language) for slot in changed)  # type: ignore[union-attr]
            dispatcher.utter_message(response="utter_correction_noted", fields=labels)
        return [SlotSet(slot, value) for slot, value in updates.items()]

    async def _validate(
        self, question: Question, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[str, Any]:
        if value is None or isinstance(value, dict):
            return {question.slot: value}  # already understood, or kept as typed
        svc = services()
        text = value if isinstance(value, str) else str(value)
        corrected = TURN_CORRECTED.get() or {}
        requested = tracker.get_slot(REQUESTED_SLOT) == question.slot
        non_english = latest_intent(tracker) == "non_english"
        puzzled = is_puzzled(text)  # "wat?", "what do you mean?": the hint, then the question again
        filler = puzzled or (is_filler(text) and question.parser in TEXT_PARSERS)  # "ok" is no name; "yes" is a budget
        understood = None if filler else understand(question.parser, text, svc.clock.now().date())
        if (
            question.parser is Parser.ROLE
            and Answer(understood).seniority is Seniority.OTHER
            and (looks_like_company(text) or text.strip().lower() == _company_said(tracker))
        ):
            understood = None  # the company's name again, not a role: asked once more
        reasked = list(tracker.get_slot(REASKED_SLOT) or [])

        email_kind = Answer(understood).email_kind if question.parser is Parser.EMAIL else None
        if email_kind is not None:
            if email_kind == "disposable":
                understood = None
            elif email_kind == "free" and requested and not tracker.get_slot(FREE_EMAIL_WARNED_SLOT):
                await self._record(tracker, question, text, None, parsed=False)
                dispatcher.utter_message(response="utter_ask_work_email_instead")
                return {question.slot: None, FREE_EMAIL_WARNED_SLOT: True, REASKED_SLOT: reasked + [question.slot]}

        if requested and question.slot not in corrected:
            misplaced = self._misplaced(question, understood, text, tracker)
            if misplaced is not None:  # the answer to another question: kept there, and this one asked again
                other, value = misplaced
                await self._record(tracker, other, text, value, parsed=True)
                return {other.slot: value, question.slot: None}
        if understood is not None and not (non_english and question.parser is Parser.TEXT):
            await self._record(tracker, question, text, understood, parsed=True)
            return {question.slot: understood}
        if question.slot in corrected:
            return {question.slot: corrected[question.slot]}  # a correction we could not read: the answer stands
        if not requested:
            return {question.slot: None}  # a guess from another answer that did not hold
        if question.slot in reasked:
            kept = kept_as_typed(question.parser, SKIPPED if filler else text)  # "ok" or "wat?" is no use case
            await self._record(tracker, question, text, kept, parsed=False)
            return {question.slot: kept}
        await self._record(tracker, question, text, None, parsed=False)
        if non_english:
            dispatcher.utter_message(response="utter_non_english")
        else:
            dispatcher.utter_message(text=question.hint_in(visitor_language(tracker)))
        return {question.slot: None, REASKED_SLOT: reasked + [question.slot]}

    @staticmethod
    def _misplaced(question: Question, understood: Any, text: str, tracker: Tracker) -> tuple[Question, Any] | None:
        """Another unanswered question this text plainly answers, when it answers the one
        asked only weakly: "VP Sales" given for the company, "Acme Inc" for the role."""
        weak = (
            understood is None
            or question.parser is Parser.COMPANY
            or (question.parser is Parser.ROLE and Answer(understood).seniority is Seniority.OTHER)
        )
        if not weak or question.parser in (Parser.TEXT, Parser.NAME) or is_filler(text) or is_refusal(text):
            return None
        today = services().clock.now().date()
        for other in services().playbook.questions:
            if other is question or other.parser in (Parser.TEXT, Parser.BUDGET):
                continue  # a use case or a budget reads into almost any text
            if not _unanswered(tracker.get_slot(other.slot)):
                continue
            if other.parser is Parser.COMPANY:
                value = understand(other.parser, text, today) if looks_like_company(text) else None
            elif other.parser is Parser.NAME or question.parser is Parser.NAME:
                continue  # a name reads as almost anything: never moved to or from
            elif other.parser is Parser.ROLE:  # a title, not a company that sounds like one ("Carpathia Dev")
                value = understand(other.parser, text, today)
                if Answer(value).seniority not in SENIOR or looks_like_company(text):
                    value = None
            else:
                value = understand(other.parser, text, today)
                vague = other.parser is Parser.TIMELINE and value is not None and value.get("earliest") is None
                value = value if answers_clearly(other.parser, value) and not vague and len(text.split()) <= 6 else None
            if value is not None:
                return other, value
        return None

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
