"""The director's replies: every one leads, openings start the conversation, knock-outs
get their route, misses get the menu then a person, nothing is offered a third time."""

from __future__ import annotations

from dataclasses import replace
from typing import List, Tuple

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.conversation.director import (
    BOOKING,
    CONSENT,
    FORM,
    KNOCKOUT_CLOSE,
    LISTEN,
    MAX_ASKS,
    MENU,
    PERSON,
    START,
    Heard,
    Reply,
    Situation,
    decide,
)

#: Prompts of the director's: each ends with a question or buttons.
PROMPTS = {"utter_ask_consent", "utter_consent_needed", "utter_offer_start", "utter_menu", "utter_offer_human",
           "utter_reach_us"}  # fmt: skip
#: Replies that end the exchange, each with its way back (a link, an address, a goodbye, "just say so").
ENDINGS = {KNOCKOUT_CLOSE, "utter_goodbye", "utter_no_problem", "utter_consent_declined", "utter_not_what_you_meant"}


def said(reply: Reply) -> List[str]:
    return [say.response or "text" for say in reply.say]


def leads(reply: Reply) -> bool:
    """The reply ends with a prompt, an ending, or hands over to the form, the times or the contact route."""
    last = said(reply)[-1] if reply.say else None
    return (
        reply.next_step in (FORM, BOOKING) or reply.contact_route or reply.apply_correction or last in PROMPTS | ENDINGS
    )


def test_a_greeting_gets_the_greeting_and_the_notice() -> None:
    reply = decide(Situation(), Heard("greet", 0.99))
    assert said(reply) == ["utter_greet", "utter_ask_consent"] and reply.pending == CONSENT


def test_an_opening_nobody_understood_still_starts_the_conversation() -> None:
    reply = decide(Situation(), Heard("nlu_fallback", 0.3))
    assert said(reply) == ["utter_greet", "utter_ask_consent"]


def test_a_wave_emoji_opens_like_a_greeting() -> None:
    assert said(decide(Situation(), Heard("emoji_only", 1.0))) == ["utter_greet", "utter_ask_consent"]


def test_a_side_question_first_is_answered_then_the_bot_offers_to_go_on() -> None:
    reply = decide(Situation(), Heard("ask_integrations", 0.9, question=True))
    assert said(reply) == ["utter_integrations", "utter_offer_start"] and reply.pending == START
    go_on = decide(replace(Situation(), pending=START, first_turn=False), Heard("affirm", 0.9))
    assert said(go_on) == ["utter_happy_to_help", "utter_ask_consent"]


def test_a_demo_request_asks_for_consent_and_a_typed_yes_starts_the_questions() -> None:
    asked = decide(Situation(), Heard("request_demo", 0.9))
    assert said(asked) == ["utter_happy_to_help", "utter_ask_consent"]
    yes = decide(Situation(pending=CONSENT, first_turn=False), Heard("affirm", 0.9))
    assert yes.record_consent and yes.next_step == FORM


def test_a_typed_no_to_the_notice_forgets_the_visitor() -> None:
    reply = decide(Situation(pending=CONSENT, first_turn=False), Heard("deny", 0.9))
    assert reply.decline_consent and said(reply) == ["utter_consent_declined"]


def test_a_knockout_gets_its_route_at_once() -> None:
    reply = decide(Situation(), Heard("job_seeker", 0.95, knockout="job_seeker"))
    assert said(reply) == [KNOCKOUT_CLOSE, "utter_not_what_you_meant"]
    assert reply.knockout == "job_seeker" and reply.next_step == LISTEN


def test_a_knockout_read_into_a_message_can_be_taken_back_once() -> None:
    knocked = Situation(consent=True, knocked_out="support", reopenable=True, first_turn=False)
    reply = decide(knocked, Heard("request_demo", 1.0))
    assert reply.reopen and reply.next_step == FORM and said(reply) == ["utter_reopened"]
    again = decide(replace(knocked, asks=reply.asks or {}), Heard("request_demo", 1.0))
    assert not again.reopen  # once: a second knock-out stands
    before_consent = decide(Situation(knocked_out="job_seeker", reopenable=True), Heard("request_demo", 1.0))
    assert before_consent.reopen and said(before_consent) == ["utter_reopened", "utter_ask_consent"]


def test_a_no_after_a_knockout_lets_the_visitor_go_without_a_menu() -> None:
    reply = decide(Situation(knocked_out="job_seeker", first_turn=False), Heard("deny", 0.9))
    assert said(reply) == ["utter_no_problem"] and reply.next_step == LISTEN
    for heard in (Heard("affirm", 0.9), Heard("thank", 0.9), Heard("nlu_fallback", 0.2)):
        closed = Situation(
            knocked_out="job_seeker", first_turn=False, misses=1 if heard.intent == "nlu_fallback" else 0
        )
        assert said(decide(closed, heard)) == ["utter_no_problem"], heard


def test_a_knockout_the_answers_give_is_not_taken_back() -> None:
    reply = decide(
        Situation(consent=True, qualified=True, tier="student", knocked_out="student"), Heard("request_demo", 1.0)
    )
    assert not reply.reopen and reply.contact_route


def test_instructions_aimed_at_the_bot_are_answered_as_text() -> None:
    reply = decide(Situation(), Heard("inform", 0.8, instruction=True))
    assert said(reply) == ["utter_not_instructions", "utter_offer_start"]


def test_a_miss_gets_the_menu_and_a_second_miss_a_person() -> None:
    after = Situation(consent=False, first_turn=False)
    first = decide(after, Heard("nlu_fallback", 0.2))
    assert said(first) == ["utter_rephrase_menu", "utter_menu"] and first.misses == 1
    second = decide(replace(after, misses=1, pending=MENU, asks=first.asks or {}), Heard("nlu_fallback", 0.2))
    assert said(second)[-1] == "utter_offer_human" and second.pending == PERSON


def test_the_same_side_answer_is_never_given_twice_in_a_row() -> None:
    in_form = Situation(consent=True, in_form=True, requested="company", first_turn=False)
    first = decide(in_form, Heard("ask_is_bot", 0.99, question=True))
    assert said(first) == ["utter_is_bot"] and first.next_step == FORM
    again = decide(replace(in_form, last_side=first.last_side), Heard("ask_is_bot", 0.99, question=True))
    assert said(again) == ["utter_side_again_in_form"] and again.next_step == FORM


def test_a_side_question_mid_form_is_answered_and_the_form_asks_again() -> None:
    reply = decide(Situation(consent=True, in_form=True, requested="role", first_turn=False), Heard("ask_pricing", 0.9))
    assert said(reply) == ["utter_pricing"] and reply.next_step == FORM


def test_a_demo_asked_for_mid_form_is_acknowledged_once_and_the_form_asks_again() -> None:
    in_form = Situation(consent=True, in_form=True, requested="full_name", first_turn=False)
    first = decide(in_form, Heard("request_demo", 0.9))
    assert said(first) == ["utter_meeting_after_questions"] and first.next_step == FORM
    again = decide(replace(in_form, last_side=first.last_side), Heard("request_demo", 0.9))
    assert said(again) == [] and again.next_step == FORM  # not the same words twice in a row


def test_a_qualified_cql_asking_for_a_meeting_gets_the_times() -> None:
    done = Situation(consent=True, qualified=True, tier="cql", first_turn=False)
    assert decide(done, Heard("request_demo", 0.9)).next_step == BOOKING
    nurture = replace(done, tier="nurture")
    assert decide(nurture, Heard("request_demo", 0.9)).contact_route


def test_a_correction_after_the_close_is_applied() -> None:
    done = Situation(consent=True, qualified=True, tier="nurture", first_turn=False)
    assert decide(done, Heard("inform", 0.8, correction=True)).apply_correction


HEARD = st.builds(
    Heard,
    intent=st.sampled_from(
        [
            "greet",
            "goodbye",
            "affirm",
            "deny",
            "thank",
            "request_demo",
            "just_browsing",
            "inform",
            "ask_pricing",
            "ask_product",
            "ask_integrations",
            "ask_is_bot",
            "ask_why",
            "ask_privacy",
            "request_human",
            "chitchat",
            "out_of_scope",
            "stop",
            "non_english",
            "emoji_only",
            "pick_slot",
            "other_times",
            "nlu_fallback",
            None,
        ]
    ),
    confidence=st.floats(0, 1),
    knockout=st.sampled_from([None, None, None, "job_seeker", "support"]),
    instruction=st.booleans(),
    question=st.booleans(),
    correction=st.booleans(),
)


def play(situation: Situation, messages: List[Heard]) -> List[Tuple[Heard, Reply]]:
    """A conversation outside the form: each reply's memory carried to the next turn."""
    turns = []
    for heard in messages:
        reply = decide(situation, heard)
        turns.append((heard, reply))
        consent = True if reply.record_consent else False if reply.decline_consent else situation.consent
        situation = replace(
            situation, pending=reply.pending, misses=reply.misses, last_side=reply.last_side, first_turn=False,
            asks=reply.asks if reply.asks is not None else situation.asks, consent=consent,
            knocked_out=None if reply.reopen else reply.knockout or situation.knocked_out,
            reopenable=bool(reply.knockout) or situation.reopenable,
        )  # fmt: skip
        if reply.next_step != LISTEN:
            break  # the form or the times take over from here
    return turns


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(HEARD, min_size=1, max_size=25))
def test_every_reply_leads_and_no_prompt_comes_a_third_time(messages: List[Heard]) -> None:
    turns = play(Situation(), messages)
    counts: dict = {}
    for heard, reply in turns:
        assert reply.say or reply.next_step != LISTEN or reply.contact_route or reply.apply_correction, heard
        assert leads(reply), (heard, said(reply))
        for name in said(reply):
            if name in {"utter_ask_consent", "utter_offer_start", "utter_menu", "utter_offer_human"}:
                counts[name] = counts.get(name, 0) + 1
    assert all(n <= MAX_ASKS for n in counts.values()), counts


def test_a_hello_or_an_introduction_while_the_notice_waits_is_welcomed_not_missed() -> None:
    waiting = Situation(pending=CONSENT, first_turn=False)  # the widget shows the notice first
    assert said(decide(waiting, Heard("greet", 0.9))) == ["utter_hello", "utter_ask_consent"]
    assert said(decide(waiting, Heard("emoji_only", 1.0))) == ["utter_hello", "utter_ask_consent"]
    introduced = decide(waiting, Heard("inform", 0.8))
    assert said(introduced) == ["utter_noted_before_consent", "utter_ask_consent"] and introduced.pending == CONSENT
    assert said(decide(waiting, Heard("nlu_fallback", 0.2))) == ["utter_consent_unclear", "utter_ask_consent"]
