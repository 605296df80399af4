"""What the bot says to a message no form is taking, and what comes next: always a lead.

A pure function, :func:`decide`, over the conversation's state (:class:`Situation`) and
what the visitor said (:class:`Heard`); ``action_lead`` applies its :class:`Reply`.
The conversation's principles hold here by construction:

- **Always lead.** Every reply ends with a question or buttons: the privacy notice, an
  offer to go on, the menu, a person or the booking path. A knock-out's close ends with
  its link (the careers page, the support portal...), a goodbye with the way back.
- **Any opening starts the conversation.** A first message that is not a knock-out gets
  the greeting and the notice (what it already says is kept as answers by the form); a
  side question is answered, then the bot offers to go on.
- **Knock-outs** get their route at once, never the questions. A knock-out read from a
  message can be wrong ("we lose leads at night" is no support ticket): the close offers a
  tap to go on, and a demo request after it carries on with the questions, once.
- **No loop.** A miss gets the menu, a second miss in a row a person or the booking path;
  the same side answer is never given twice in a row; no prompt of the director's is put
  more than twice in a conversation (a visitor who asks again explicitly is told how).
- **Instructions aimed at the bot** are ordinary text: the out-of-scope answer, then the menu.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Dict, Mapping, Tuple

#: What the last reply offered, so "yes" and "no" mean something.
CONSENT, START, MENU, PERSON = "consent", "start", "menu", "person"
#: What runs after the director's reply.
LISTEN, FORM, BOOKING = "listen", "form", "booking"

#: Placeholders the action renders: the question on the table's "why", the knock-out's close.
WHY_FOR_QUESTION = "why_for_question"
KNOCKOUT_CLOSE = "knockout_close"

#: How many times each of the director's prompts may be put in one conversation.
MAX_ASKS = 2
#: A knock-out taken back (a demo asked for after its close): once per conversation.
REOPEN = "reopen"
SIDE_CONFIDENCE = 0.5

#: Side questions and the response that answers each.
SIDE_ANSWERS = {
    "ask_pricing": "utter_pricing",
    "ask_product": "utter_product",
    "ask_integrations": "utter_integrations",
    "ask_is_bot": "utter_is_bot",
    "ask_privacy": "utter_privacy",
    "ask_why": "utter_why_generic",
    "chitchat": "utter_chitchat",
    "out_of_scope": "utter_out_of_scope",
    "non_english": "utter_non_english",
    "switch_language": "utter_language_switched",
    "emoji_only": "utter_emoji",
}
#: Intents of the booking form, meaningless outside it.
BOOKING_INTENTS = frozenset({"pick_slot", "other_times", "no_slot_works", "change_booking"})


@dataclass(frozen=True)
class Say:
    """One message: a response of domain.yml (with its values), or text."""

    response: str | None = None
    text: str | None = None
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Situation:
    """Where the conversation stands, as the tracker's slots say."""

    consent: bool | None = None
    qualified: bool = False
    tier: str | None = None
    #: The qualification form is running: the director only answers, the form asks again.
    in_form: bool = False
    pending: str | None = None
    misses: int = 0
    last_side: str | None = None
    asks: Mapping[str, int] = field(default_factory=dict)
    #: The question on the table in the form, for "why do you ask?" and repeats.
    requested: str | None = None
    #: Nothing has been said to the visitor yet in this session.
    first_turn: bool = True
    knocked_out: str | None = None
    #: The knock-out came from a message, not from the answers: the visitor may take it back.
    reopenable: bool = False


@dataclass(frozen=True)
class Heard:
    """What the visitor said: the intent, how sure, and what it is beyond the intent."""

    intent: str | None
    confidence: float = 0.0
    #: The knock-out it names (an id of ops/scoring.yml), found by the caller.
    knockout: str | None = None
    instruction: bool = False
    question: bool = False
    #: It says it corrects an earlier answer ("actually we're 50, not 500").
    correction: bool = False


@dataclass(frozen=True)
class Reply:
    say: Tuple[Say, ...]
    next_step: str = LISTEN
    pending: str | None = None
    misses: int = 0
    last_side: str | None = None
    #: How often each prompt has been put, when this reply changes it (None: unchanged).
    asks: Mapping[str, int] | None = None
    #: Side effects the action carries out: record consent, forget the visitor, a knock-out.
    record_consent: bool = False
    decline_consent: bool = False
    knockout: str | None = None
    #: The contact route for the visitor's tier (the action renders it with the links).
    contact_route: bool = False
    #: Apply the correction to the stored lead and score it again (after the close).
    apply_correction: bool = False
    #: Forget the knock-out the bot read into a message; the questions go on.
    reopen: bool = False


def _asked(situation: Situation, prompt: str) -> Dict[str, int]:
    counts = dict(situation.asks)
    counts[prompt] = counts.get(prompt, 0) + 1
    return counts


def _may_ask(situation: Situation, prompt: str) -> bool:
    return situation.asks.get(prompt, 0) < MAX_ASKS


def _consent_prompt(situation: Situation, before: Tuple[Say, ...]) -> Reply:
    """The privacy notice with its buttons; past its limit, how to go on instead."""
    if not _may_ask(situation, CONSENT):
        return Reply((*before, Say("utter_consent_needed")), pending=CONSENT)
    return Reply((*before, Say("utter_ask_consent")), pending=CONSENT, asks=_asked(situation, CONSENT))


def _offer_start(situation: Situation, before: Tuple[Say, ...]) -> Reply:
    """After an answer: shall we go on? Past its limit, the menu; past that, the contact."""
    if _may_ask(situation, START):
        return Reply((*before, Say("utter_offer_start")), pending=START, asks=_asked(situation, START))
    return _menu(situation, before)


def _menu(situation: Situation, before: Tuple[Say, ...] = (), misses: int = 0) -> Reply:
    if _may_ask(situation, MENU):
        return Reply((*before, Say("utter_menu")), pending=MENU, misses=misses, asks=_asked(situation, MENU))
    return _person(situation, before, misses)


def _person(situation: Situation, before: Tuple[Say, ...] = (), misses: int = 0) -> Reply:
    """A person or the booking path, with buttons; past its limit, the contact address."""
    if _may_ask(situation, PERSON):
        return Reply((*before, Say("utter_offer_human")), pending=PERSON, misses=misses, asks=_asked(situation, PERSON))
    return Reply((*before, Say("utter_reach_us")), misses=misses)


def _lead_after_side(situation: Situation, answer: Tuple[Say, ...], side: str) -> Reply:
    """A side question was answered: now the next step for where the visitor stands."""
    if situation.in_form:
        return Reply(answer, next_step=FORM, last_side=side)
    if situation.consent is True and not situation.qualified and not situation.knocked_out:
        return Reply(answer, next_step=FORM, last_side=side)
    if situation.consent is None and not situation.knocked_out:
        if situation.pending == CONSENT:
            return replace(_consent_prompt(situation, answer), last_side=side)
        return replace(_offer_start(situation, answer), last_side=side)
    if situation.qualified and situation.tier == "cql":
        return Reply(answer, next_step=BOOKING, last_side=side)
    return replace(_menu(situation, answer), last_side=side)


def _side(situation: Situation, heard: Heard) -> Reply:
    intent = str(heard.intent)
    side = f"{intent}@{situation.requested or '-'}"
    if intent == "request_human":
        return _wants_person(situation, side)
    if intent == "ask_why" and situation.in_form:
        answer: Tuple[Say, ...] = (Say(WHY_FOR_QUESTION),)
    else:
        answer = (Say(SIDE_ANSWERS[intent]),)
    if heard.instruction:
        answer = (Say("utter_not_instructions"),)
    if side == situation.last_side:  # never the same answer twice in a row
        if situation.in_form:
            return Reply((Say("utter_side_again_in_form"),), next_step=FORM, last_side=None)
        return _person(situation, (Say("utter_side_again"),))
    return _lead_after_side(situation, answer, side)


def _wants_person(situation: Situation, side: str) -> Reply:
    if situation.in_form:
        return Reply((Say("utter_human_mid_form"),), next_step=FORM, last_side=side)
    if situation.qualified:
        return Reply((), contact_route=True, last_side=side)
    if situation.consent is True and not situation.knocked_out:
        return Reply((Say("utter_human_then_questions"),), next_step=FORM, last_side=side)
    return replace(_person(situation), last_side=side)


def _wants_meeting(situation: Situation) -> Reply:
    if situation.qualified:
        if situation.tier == "cql":
            return Reply((), next_step=BOOKING)
        return Reply((), contact_route=True)
    if situation.consent is True:  # the questions are the way to the meeting: said once in a row
        side = f"request_demo@{situation.requested or '-'}"
        said = () if side == situation.last_side else (Say("utter_meeting_after_questions"),)
        return Reply(said, next_step=FORM, last_side=side)
    return _consent_prompt(situation, (Say("utter_happy_to_help"),))


def _reopen(situation: Situation) -> Reply:
    """The visitor says the knock-out was a misreading: back to the questions (the notice
    first, when the knock-out came before it)."""
    situation = replace(situation, asks={**situation.asks, REOPEN: 1})
    sorry = (Say("utter_reopened"),)
    if situation.consent is True:
        return Reply(sorry, next_step=FORM, reopen=True, asks=situation.asks)
    prompt = _consent_prompt(situation, sorry)
    return replace(prompt, reopen=True, asks=prompt.asks or situation.asks)


def _yes(situation: Situation) -> Reply:
    if situation.pending == CONSENT and situation.consent is not True:
        return Reply((Say("utter_consent_thanks"),), next_step=FORM, record_consent=True)
    if situation.pending in (START, MENU):
        return _wants_meeting(situation)
    if situation.pending == PERSON:
        return _wants_meeting(situation) if not situation.qualified else Reply((), contact_route=True)
    return _opening_or_miss(situation, Heard("affirm", 1.0))


def _no(situation: Situation) -> Reply:
    if situation.pending == CONSENT and situation.consent is not True:
        return Reply((Say("utter_consent_declined"),), decline_consent=True)
    if situation.pending in (MENU, PERSON) or situation.knocked_out:  # let them go, kindly
        return Reply((Say("utter_no_problem"),))
    return _menu(situation, (Say("utter_no_problem_then"),))


#: A first message that is a hello or an introduction, while the notice waits: its welcome.
WELCOMES = {"greet": "utter_hello", "emoji_only": "utter_hello", "inform": "utter_noted_before_consent"}
#: Messages that only acknowledge ("ok", "thanks", "hi"): after a close they end the exchange.
ACKNOWLEDGEMENTS = ("affirm", "thank", "greet", "inform")


def _opening_or_miss(situation: Situation, heard: Heard) -> Reply:
    """A message that is no question and no request: at the start it opens the conversation;
    later it is a miss, answered by the menu, then a person."""
    if situation.knocked_out and (heard.intent in ACKNOWLEDGEMENTS or situation.misses >= 1):
        return Reply((Say("utter_no_problem"),))  # the conversation has closed: no menu to loop on
    if situation.consent is None and not situation.knocked_out and situation.pending is None:
        greeting = (Say("utter_greet"),) if situation.first_turn else ()
        return _consent_prompt(situation, greeting)
    if situation.consent is True and not situation.qualified and not situation.knocked_out:
        welcome = (Say("utter_welcome_back"),) if heard.intent == "greet" else ()
        return Reply(welcome, next_step=FORM)
    if situation.qualified and heard.intent in ("greet", "inform"):
        return _menu(situation, (Say("utter_already_done"),))
    if heard.intent == "thank":
        return _menu(situation, (Say("utter_welcome"),))
    if situation.pending == CONSENT and situation.consent is None and heard.intent in WELCOMES:
        # A hello or an introduction while the notice waits (the widget shows it first):
        # welcomed, and what it says is kept once the visitor agrees.
        return _consent_prompt(situation, (Say(WELCOMES[str(heard.intent)]),))
    if situation.pending == CONSENT and situation.consent is None and situation.misses == 0:
        return replace(_consent_prompt(situation, (Say("utter_consent_unclear"),)), misses=1)
    if situation.misses >= 1:
        return _person(situation, (Say("utter_still_unclear"),), misses=situation.misses + 1)
    return _menu(situation, (Say("utter_rephrase_menu"),), misses=1)


def decide(situation: Situation, heard: Heard) -> Reply:
    """The reply to ``heard`` outside the forms (or beside the form, for a side question)."""
    intent = heard.intent or "nlu_fallback"
    if heard.knockout and not situation.in_form:
        undo = () if situation.knocked_out else (Say("utter_not_what_you_meant"),)
        return Reply((Say(KNOCKOUT_CLOSE), *undo), knockout=heard.knockout)
    if heard.instruction:
        return _side(situation, replace(heard, intent="out_of_scope"))
    if heard.correction and situation.qualified and not situation.knocked_out:
        return Reply((), apply_correction=True)
    if intent == "emoji_only" and not situation.in_form and situation.pending in (None, CONSENT):
        return _opening_or_miss(situation, heard)  # "👋" opens the conversation like a greeting
    if intent in SIDE_ANSWERS or intent == "request_human":
        if heard.confidence >= SIDE_CONFIDENCE or heard.question:
            return _side(situation, heard)
        return _opening_or_miss(situation, heard)
    if intent == "request_demo":
        if situation.knocked_out and situation.reopenable and REOPEN not in situation.asks:
            return _reopen(situation)
        return _wants_meeting(situation)
    if intent == "affirm":
        return _yes(situation)
    if intent == "deny":
        return _no(situation)
    if intent in ("stop", "deny") and situation.first_turn:
        return _opening_or_miss(situation, heard)  # nothing to stop yet: the conversation starts
    if intent == "stop":
        return Reply((Say("utter_no_problem"),))
    if intent == "goodbye":
        return Reply((Say("utter_goodbye"),))
    if intent in BOOKING_INTENTS:
        if situation.qualified and situation.tier == "cql":
            return Reply((), next_step=BOOKING)
        if situation.qualified:
            return Reply((), contact_route=True)
        return _opening_or_miss(situation, heard)
    if intent == "just_browsing" and situation.consent is None:
        return _offer_start(situation, (Say("utter_just_browsing"),))
    return _opening_or_miss(situation, heard)
