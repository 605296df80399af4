from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Tuple

from rasa_sdk import Action
from rasa_sdk.executor import CollectingDispatcher

from actions.consent import ActionDeclineConsent, ActionRecordConsent
from actions.conversation import (
    ActionExplainQuestion,
    ActionHandleFallback,
    ActionStopQualification,
    ActionSubmitQualification,
)
from actions.session import ActionSessionStart
from bot.leads.store import AnswerRecord, VisitContext
from bot.services import Services
from tests.unit.actions.conftest import make_tracker, slot_event, user_event


def run(action: Action, tracker: Any, domain: Dict[str, Any]) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain))
    return events, dispatcher.messages


def test_session_start_takes_the_widget_metadata_and_carries_answers_over(domain: Dict[str, Any]) -> None:
    metadata = {
        "timezone": "Asia/Kolkata",
        "page_url": "https://cqlbot.example/pricing",
        "utm": {"utm_source": "linkedin"},
    }
    tracker = make_tracker(
        domain, slots={"session_started_metadata": metadata, "consent": True, "company": "Acme"}, active_loop=None
    )
    events, messages = run(ActionSessionStart(), tracker, domain)
    assert messages == []
    assert events[0]["event"] == "session_started"
    assert (events[-1]["event"], events[-1]["name"]) == ("action", "action_listen")
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots == {
        "consent": True, "company": "Acme", "visitor_timezone": "Asia/Kolkata",
        "page_url": "https://cqlbot.example/pricing", "utm": {"utm_source": "linkedin"},
    }  # fmt: skip


def test_session_start_ignores_hostile_metadata(domain: Dict[str, Any]) -> None:
    metadata = {"timezone": "<script>", "page_url": "javascript:alert(1)", "utm": {"utm_source": "x" * 999}}
    tracker = make_tracker(domain, slots={"session_started_metadata": metadata}, active_loop=None)
    events, _ = run(ActionSessionStart(), tracker, domain)
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots == {"utm": {"utm_source": "x" * 200}}


def test_consent_starts_keeping_the_conversation(services: Services, domain: Dict[str, Any]) -> None:
    tracker = make_tracker(
        domain, slots={"visitor_timezone": "Europe/Berlin", "page_url": "https://cqlbot.example/"}, active_loop=None
    )
    events, messages = run(ActionRecordConsent(), tracker, domain)
    assert events == [slot_event("consent", True)]
    assert [m["response"] for m in messages] == ["utter_consent_thanks"]
    record = services.leads.conversation_record("visitor-1")
    assert record is not None
    assert record["browser_timezone"] == "Europe/Berlin"


def test_declining_forgets_every_answer(services: Services, domain: Dict[str, Any]) -> None:
    services.leads.record_consent("visitor-1", VisitContext())
    services.leads.record_answer("visitor-1", AnswerRecord("company", "company", "Acme", "Acme", True))
    tracker = make_tracker(domain, slots={"company": "Acme", "full_name": "Jane", "consent": True}, active_loop=None)
    events, messages = run(ActionDeclineConsent(), tracker, domain)
    assert [m["response"] for m in messages] == ["utter_consent_declined"]
    values = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert values["consent"] is False
    assert all(values[slot] is None for slot in services.playbook.slots)
    assert services.leads.conversation_record("visitor-1")["answers"] == {}  # type: ignore[index]


def test_submit_thanks_and_records_the_outcome(services: Services, domain: Dict[str, Any]) -> None:
    services.leads.record_consent("visitor-1", VisitContext())
    events, messages = run(ActionSubmitQualification(), make_tracker(domain, active_loop=None), domain)
    assert events == [slot_event("qualification_done", True)]
    assert [m["response"] for m in messages] == ["utter_qualification_done"]
    assert services.leads.conversation_record("visitor-1")["outcome"] == "completed"  # type: ignore[index]


def test_stop_leaves_the_form_and_keeps_the_answers(services: Services, domain: Dict[str, Any]) -> None:
    tracker = make_tracker(
        domain, slots={"requested_slot": "role", "company": "Acme"}, said=[user_event("not now", "stop")]
    )
    events, messages = run(ActionStopQualification(), tracker, domain)
    assert [m["response"] for m in messages] == ["utter_stopped"]
    assert events == [{"event": "active_loop", "timestamp": None, "name": None}, slot_event("requested_slot", None)]


def test_why_do_you_ask_explains_the_question_on_the_table(services: Services, domain: Dict[str, Any]) -> None:
    tracker = make_tracker(domain, slots={"requested_slot": "company_size"}, said=[user_event("why?", "ask_why")])
    _, messages = run(ActionExplainQuestion(), tracker, domain)
    assert [m["text"] for m in messages] == [services.playbook.question("company_size").why]  # type: ignore[union-attr]
    _, messages = run(ActionExplainQuestion(), make_tracker(domain, active_loop=None), domain)
    assert [m["response"] for m in messages] == ["utter_why_generic"]


def test_fallback_asks_to_rephrase_then_offers_a_person(services: Services, domain: Dict[str, Any]) -> None:
    first = make_tracker(domain, said=[user_event("blorp", "nlu_fallback")], active_loop=None)
    _, messages = run(ActionHandleFallback(), first, domain)
    assert [m["response"] for m in messages] == ["utter_rephrase"]

    rephrased = {"event": "bot", "text": "Sorry...", "metadata": {"utter_action": "utter_rephrase"}}
    second = make_tracker(
        domain,
        said=[user_event("blorp", "nlu_fallback"), rephrased, user_event("zzzt", "nlu_fallback")],
        active_loop=None,
    )
    _, messages = run(ActionHandleFallback(), second, domain)
    assert [m["response"] for m in messages] == ["utter_offer_human"]


def test_declining_mid_form_leaves_the_form(services: Services, domain: Dict[str, Any]) -> None:
    tracker = make_tracker(
        domain, slots={"requested_slot": "role", "consent": True}, said=[user_event("/deny_consent", "deny_consent")]
    )
    events, _ = run(ActionDeclineConsent(), tracker, domain)
    assert events[:3] == [
        {"event": "active_loop", "timestamp": None, "name": None},
        slot_event("requested_slot", None),
        slot_event("consent", False),
    ]
