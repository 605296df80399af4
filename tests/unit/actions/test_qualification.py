from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any, Dict, List, Tuple

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.qualification import ValidateQualificationForm
from bot.leads.store import VisitContext
from bot.playbook import Playbook
from bot.qualification.answers import Answers
from bot.services import Services
from tests.unit.actions.conftest import make_tracker, slot_event, user_event

OPENING = (
    "Hi, I'm Priya Natarajan, CTO at Quantix Labs (about 300 people), we want a demo this month, priya@quantixlabs.com"
)


def run_form(tracker: Any, domain: Dict[str, Any]) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """The form's validation on ``tracker``: its events and its messages."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateQualificationForm().run(dispatcher, tracker, domain))
    return events, dispatcher.messages


def answer(
    domain: Dict[str, Any],
    slot: str,
    text: str,
    slots: Dict[str, Any] | None = None,
    intent: str = "inform",
    confidence: float = 0.9,
) -> Any:
    """The tracker Rasa sends the form's validation after the visitor replies to ``slot``."""
    return make_tracker(
        domain,
        slots={"requested_slot": slot, "consent": True, **(slots or {})},
        said=[user_event(text, intent, confidence)],
    )


def test_the_opening_answers_are_taken_when_the_form_starts(services: Services, domain: Dict[str, Any]) -> None:
    services.leads.record_consent("visitor-1", VisitContext())
    tracker = make_tracker(
        domain,
        slots={"consent": True},
        said=[user_event(OPENING), user_event("/give_consent", "give_consent")],
        after_user=[slot_event("consent", True)],
    )
    events, messages = run_form(tracker, domain)
    assert messages == []
    assert events == [
        slot_event("full_name", "Priya Natarajan"),
        slot_event(
            "work_email", {"address": "priya@quantixlabs.com", "normalised": "priya@quantixlabs.com", "kind": "work"}
        ),
        slot_event("company", "Quantix Labs"),
        slot_event("role", {"title": "CTO", "seniority": "c_level"}),
        slot_event("company_size", {"min": 300, "max": 300, "label": "300"}),
        slot_event("timeline", {"earliest": 0.0, "latest": 0.2, "label": "this month"}),
        slot_event("requested_slot", "use_case"),
    ]
    record = services.leads.conversation_record("visitor-1")
    assert record is not None
    assert record["lead"]["email"] == "priya@quantixlabs.com"
    assert record["answers"]["use_case"]["asked_at"] is not None  # the next question was recorded as asked


def test_a_messy_answer_is_normalised(services: Services, domain: Dict[str, Any]) -> None:
    events, messages = run_form(answer(domain, "company_size", "~600 ppl"), domain)
    assert messages == []
    assert events == [
        slot_event("company_size", {"min": 600, "max": 600, "label": "600"}),
        slot_event("requested_slot", "use_case"),
    ]


def test_an_answer_that_does_not_parse_is_reasked_once_with_a_hint(services: Services, domain: Dict[str, Any]) -> None:
    events, messages = run_form(answer(domain, "company_size", "n/a"), domain)
    hint = services.playbook.question("company_size").hint  # type: ignore[union-attr]
    assert [m["text"] for m in messages] == [hint]
    assert events == [
        slot_event("company_size", None),
        slot_event("reasked_slots", ["company_size"]),
        slot_event("requested_slot", "use_case"),
    ]


def test_a_second_miss_is_kept_as_typed_and_the_form_moves_on(services: Services, domain: Dict[str, Any]) -> None:
    filled = {slot: "x" for slot in ("use_case", "full_name", "company")}
    tracker = answer(domain, "company_size", "n/a", {**filled, "reasked_slots": ["company_size"]})
    events, messages = run_form(tracker, domain)
    assert messages == []
    assert events == [
        slot_event("company_size", {"raw": "n/a", "understood": False}),
        slot_event("requested_slot", "work_email"),
    ]


def test_the_same_question_is_never_asked_a_third_time(services: Services, domain: Dict[str, Any]) -> None:
    asked = 0
    reasked: List[str] = []
    for text in ["n/a", "still n/a", "n/a again"]:
        tracker = answer(domain, "company_size", text, {"reasked_slots": reasked})
        asked += 1
        events, _ = run_form(tracker, domain)
        values = {e["name"]: e["value"] for e in events}
        reasked = values.get("reasked_slots", reasked)
        if values["company_size"] is not None:
            break
    assert asked == 2


def test_a_free_mail_address_is_questioned_once_then_accepted(services: Services, domain: Dict[str, Any]) -> None:
    events, messages = run_form(answer(domain, "work_email", "jane@gmail.com"), domain)
    assert [m["response"] for m in messages] == ["utter_ask_work_email_instead"]
    assert events[:3] == [
        slot_event("work_email", None),
        slot_event("free_email_warned", True),
        slot_event("reasked_slots", ["work_email"]),
    ]
    tracker = answer(
        domain, "work_email", "jane@gmail.com", {"free_email_warned": True, "reasked_slots": ["work_email"]}
    )
    events, messages = run_form(tracker, domain)
    assert messages == []
    assert events[0] == slot_event(
        "work_email", {"address": "jane@gmail.com", "normalised": "jane@gmail.com", "kind": "free"}
    )


def test_a_disposable_address_is_refused(services: Services, domain: Dict[str, Any]) -> None:
    events, messages = run_form(answer(domain, "work_email", "x@mailinator.com"), domain)
    assert [m["text"] for m in messages] == [services.playbook.question("work_email").hint]  # type: ignore[union-attr]
    assert events[0] == slot_event("work_email", None)


def test_a_non_english_answer_gets_the_english_only_notice(services: Services, domain: Dict[str, Any]) -> None:
    events, messages = run_form(answer(domain, "use_case", "necesito más reuniones", intent="non_english"), domain)
    assert [m["response"] for m in messages] == ["utter_non_english"]
    assert events[0] == slot_event("use_case", None)


def test_a_non_english_title_that_parses_is_accepted(services: Services, domain: Dict[str, Any]) -> None:
    events, messages = run_form(answer(domain, "role", "Gerente de Ventas", intent="non_english"), domain)
    assert messages == []
    assert events[0] == slot_event("role", {"title": "Gerente de Ventas", "seniority": "manager"})


def test_other_answers_in_one_message_are_taken_too(services: Services, domain: Dict[str, Any]) -> None:
    events, _ = run_form(answer(domain, "full_name", "I'm Raj, raj@fernhilltools.com"), domain)
    assert slot_event("full_name", "Raj") in events
    assert (
        slot_event(
            "work_email", {"address": "raj@fernhilltools.com", "normalised": "raj@fernhilltools.com", "kind": "work"}
        )
        in events
    )


def test_hostile_text_is_kept_as_plain_text(services: Services, domain: Dict[str, Any]) -> None:
    hostile = "<img src=x onerror=alert(1)> '; DROP TABLE leads; --"
    events, _ = run_form(answer(domain, "use_case", hostile), domain)
    assert events[0] == slot_event("use_case", hostile)


def test_a_huge_paste_is_cut_not_refused(services: Services, domain: Dict[str, Any]) -> None:
    events, messages = run_form(answer(domain, "use_case", "We miss inbound leads. " * 300), domain)
    assert messages == []
    assert len(events[0]["value"]) <= 501


def complete_form(domain: Dict[str, Any], answers: Dict[str, str]) -> List[str]:
    """Answers each question the form requests; returns the slots in asked order."""
    slots: Dict[str, Any] = {"consent": True}
    tracker = make_tracker(domain, slots=slots, said=[user_event("/give_consent", "give_consent")])
    asked: List[str] = []
    events, _ = run_form(tracker, domain)
    for _ in range(20):
        requested = {e["name"]: e["value"] for e in events}.get("requested_slot")
        if requested is None:
            return asked
        asked.append(requested)
        tracker = answer(domain, requested, answers[requested], slots)
        events, _ = run_form(tracker, domain)
        slots.update({e["name"]: e["value"] for e in events if e["name"] != "requested_slot"})
    raise AssertionError(f"the form did not finish: {asked}")


ANSWERS = {
    "use_case": "we lose inbound leads", "full_name": "Ana Silva", "work_email": "ana@coral.com.br", "company": "Coral",
    "role": "Head of Marketing", "company_size": "600", "timeline": "this quarter", "budget": "yes", "country": "Brazil",
}  # fmt: skip


def test_the_form_asks_exactly_the_ops_questions_in_the_ops_order(services: Services, domain: Dict[str, Any]) -> None:
    assert complete_form(domain, ANSWERS) == services.playbook.slots
    assert set(services.playbook.slots) <= set(domain["forms"]["qualification_form"]["required_slots"])


@pytest.mark.parametrize("order", [["company", "full_name", "work_email"], ["country", "use_case"]])
def test_the_ops_file_alone_decides_the_questions(services: Services, domain: Dict[str, Any], order: List[str]) -> None:
    from bot.services import install

    questions = [q for slot in order for q in services.playbook.questions if q.slot == slot]
    install(replace(services, playbook=Playbook(version=1, questions=questions)))
    assert complete_form(domain, ANSWERS) == order


def test_a_button_payload_is_never_taken_as_an_answer(services: Services, domain: Dict[str, Any]) -> None:
    events, messages = run_form(
        answer(domain, "use_case", "/give_consent", intent="give_consent", confidence=1.0), domain
    )
    assert messages == []
    assert events == []  # nothing filled: the form steps aside (Rasa rejects it) and the rules answer


@pytest.mark.parametrize(
    ("slot", "text", "intent"),
    [
        ("use_case", "how much does it cost?", "ask_pricing"),
        ("company", "do you integrate with Salesforce?", "ask_integrations"),
        ("company_size", "why do you ask?", "ask_why"),
        ("role", "not now", "stop"),
        ("full_name", "are you a bot?", "ask_is_bot"),
    ],
)
def test_a_side_question_is_left_to_its_rule(
    services: Services, domain: Dict[str, Any], slot: str, text: str, intent: str
) -> None:
    events, messages = run_form(answer(domain, slot, text, intent=intent, confidence=0.95), domain)
    assert messages == []
    assert events == []  # the form steps aside: the director answers, then the form asks again


@pytest.mark.parametrize(
    ("slot", "text", "intent", "confidence"),
    [
        ("role", "owner", "stop", 0.9),  # a clear title wins over a misread intent
        ("company_size", "600", "chitchat", 0.99),
        ("timeline", "later", "stop", 0.95),
        ("use_case", "pricing pages that convert", "ask_pricing", 0.4),  # an unsure intent does not win
    ],
)
def test_a_clear_answer_wins_over_a_misread_intent(
    services: Services, domain: Dict[str, Any], slot: str, text: str, intent: str, confidence: float
) -> None:
    events, _ = run_form(answer(domain, slot, text, intent=intent, confidence=confidence), domain)
    assert events[0]["name"] == slot
    assert events[0]["value"] is not None


def test_a_knockout_message_ends_the_questions_at_once(services: Services, domain: Dict[str, Any]) -> None:
    services.leads.record_consent("visitor-1", VisitContext())
    tracker = answer(domain, "role", "are you hiring? I'd like to apply for an SDR job", intent="job_seeker")
    events, messages = run_form(tracker, domain)
    assert messages == []
    assert events == [slot_event("knockout", "job_seeker"), slot_event("requested_slot", None)]
    assert services.leads.stored_conversation("visitor-1") == (Answers(), "job_seeker")  # kept for the score


def test_an_answer_that_knocks_out_ends_the_questions_too(services: Services, domain: Dict[str, Any]) -> None:
    events, _ = run_form(answer(domain, "role", "student intern"), domain)
    assert slot_event("knockout", "student") in events and events[-1] == slot_event("requested_slot", None)


def test_a_company_named_like_a_knockout_is_just_a_company(services: Services, domain: Dict[str, Any]) -> None:
    events, _ = run_form(answer(domain, "company", "Bright Jobs Ltd", intent="job_seeker", confidence=0.99), domain)
    assert events[0] == slot_event("company", "Bright Jobs Ltd")


def test_a_correction_changes_the_earlier_answer_and_the_question_stays(
    services: Services, domain: Dict[str, Any]
) -> None:
    earlier = {"company_size": {"min": 5000, "max": 5000, "label": "5,000"}}
    tracker = answer(domain, "budget", "sorry, typo earlier: we're 5 people, not 5000", earlier)
    events, messages = run_form(tracker, domain)
    assert [m["response"] for m in messages] == ["utter_correction_noted"] and messages[0]["fields"] == "company size"
    values = {e["name"]: e["value"] for e in events}
    assert values["company_size"] == {"min": 5, "max": 5, "label": "5"}
    assert "budget" not in values and values["requested_slot"] == "use_case"  # not taken as "no budget"


def test_a_correction_naming_no_question_corrects_the_head_count(services: Services, domain: Dict[str, Any]) -> None:
    earlier = {"company_size": {"min": 80, "max": 80, "label": "80"}}
    events, messages = run_form(answer(domain, "timeline", "sorry, I meant 800", earlier), domain)
    assert [m["response"] for m in messages] == ["utter_correction_noted"]
    values = {e["name"]: e["value"] for e in events}
    assert values["company_size"] == {"min": 800, "max": 800, "label": "800"} and "timeline" not in values


def test_a_new_spelling_of_the_name_at_a_later_question_corrects_the_name(
    services: Services, domain: Dict[str, Any]
) -> None:
    tracker = answer(domain, "work_email", "actually its Mara Jenssen", {"full_name": "Mara Jensen"})
    events, messages = run_form(tracker, domain)
    assert [m["response"] for m in messages] == ["utter_correction_noted"]
    values = {e["name"]: e["value"] for e in events}
    assert values["full_name"] == "Mara Jenssen" and "work_email" not in values


def test_a_visitor_who_did_not_follow_gets_the_hint_and_nothing_is_kept(
    services: Services, domain: Dict[str, Any]
) -> None:
    events, messages = run_form(answer(domain, "use_case", "wat?", intent="affirm", confidence=0.7), domain)
    hint = services.playbook.question("use_case").hint  # type: ignore[union-attr]
    assert [m["text"] for m in messages] == [hint]
    assert slot_event("use_case", None) in events
    tracker = answer(domain, "use_case", "huh?", {"reasked_slots": ["use_case"]}, intent="affirm", confidence=0.7)
    events, _ = run_form(tracker, domain)
    assert slot_event("use_case", "(not answered)") in events  # moved on, "huh?" is no use case


def test_an_answer_to_another_question_is_kept_there(services: Services, domain: Dict[str, Any]) -> None:
    events, messages = run_form(answer(domain, "company", "VP Sales"), domain)
    values = {e["name"]: e["value"] for e in events}
    assert values["role"] == {"title": "VP Sales", "seniority": "vp"} and values["company"] is None
    assert messages == []
    events, _ = run_form(answer(domain, "role", "Brightwater Logistics", {"company": "Brightwater Logistics"}), domain)
    assert {e["name"]: e["value"] for e in events}["role"] is None  # the company again is no role


def test_a_question_put_twice_is_kept_unanswered_not_asked_a_third_time(
    services: Services, domain: Dict[str, Any]
) -> None:
    tracker = make_tracker(domain, slots={"consent": True, "requested_slot": "use_case"},
                           said=[user_event("how much is it?", "ask_pricing", 0.99)])  # fmt: skip
    asked = {"event": "bot", "text": "What brings you here?", "metadata": {"utter_action": "utter_ask_use_case"}}
    tracker.events[1:1] = [asked, asked]  # put twice
    tracker.events.insert(-1, {"event": "action", "name": "action_lead"})  # back after the director's answer
    events, _ = run_form(tracker, domain)
    values = {e["name"]: e["value"] for e in events}
    assert values["use_case"] == "(not answered)"
    assert values["requested_slot"] == "full_name"
    once = make_tracker(domain, slots={"consent": True, "requested_slot": "use_case"},
                        said=[user_event("how much is it?", "ask_pricing", 0.99)])  # fmt: skip
    once.events[1:1] = [asked]
    once.events.insert(-1, {"event": "action", "name": "action_lead"})
    values = {e["name"]: e["value"] for e in run_form(once, domain)[0]}
    assert values.get("use_case") is None and values["requested_slot"] == "use_case"  # asked again, a second time


@pytest.mark.parametrize(("slot_value", "stored"), [("de", "de"), ("fr", "fr"), ("klingon", "en"), ({"x": 1}, "en")])
def test_a_form_turn_stores_the_conversations_language_checked(
    services: Services, domain: Dict[str, Any], slot_value: Any, stored: str
) -> None:
    services.leads.record_consent("visitor-1", VisitContext())
    run_form(answer(domain, "company_size", "etwa 400 Mitarbeiter", slots={"language": slot_value}), domain)
    record = services.leads.conversation_record("visitor-1")
    assert record is not None and record["language"] == stored
