from __future__ import annotations

import time
from typing import Any, Dict

import pytest

from actions.consent import ActionDeclineConsent, ActionRecordConsent
from actions.conversation import (
    ActionContactRoute,
    ActionStopQualification,
    ActionSubmitQualification,
)
from actions.lead import ActionLead
from actions.session import ActionSessionStart
from bot.leads.store import AnswerRecord, VisitContext
from bot.qualification.understand import understand
from bot.services import Services, get_services
from tests.conftest import NOW
from tests.unit.actions.conftest import make_tracker, run, slot_event, user_event


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


@pytest.mark.parametrize("idle_seconds, resumed", [(5, True), (2 * 3600, False)])
def test_a_session_cut_for_length_mid_form_goes_on_with_the_form_and_an_expired_one_does_not(
    domain: Dict[str, Any], idle_seconds: int, resumed: bool
) -> None:
    last = {"event": "slot", "name": "requested_slot", "value": "slot_pick", "timestamp": time.time() - idle_seconds}
    tracker = make_tracker(domain, slots={"consent": True}, active_loop="booking_form", after_user=[last])
    events, _ = run(ActionSessionStart(), tracker, domain)
    loops = [e["name"] for e in events if e["event"] == "active_loop"]
    asked = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "requested_slot"]
    assert (loops, asked) == ((["booking_form"], ["slot_pick"]) if resumed else ([], []))


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


def _slots(**said: str) -> Dict[str, Any]:
    """Question slots as the form fills them, from what the visitor said."""
    playbook = get_services().playbook
    return {slot: understand(playbook.question(slot).parser, text, NOW.date()) for slot, text in said.items()}  # type: ignore[union-attr]


CQL = dict(use_case="we lose inbound leads", full_name="Ana Silva", work_email="ana@coral.example", company="Coral",
           role="VP Sales", company_size="600", timeline="this quarter", budget="approved", country="Brazil")  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "tier", "response"),
    [
        ({}, "cql", "utter_close_cql"),
        ({"role": "data analyst", "timeline": "just researching", "budget": "none"}, "nurture", "utter_close_nurture"),
        ({"role": "student intern"}, "disqualified", "utter_close_student"),
        ({"use_case": "are you hiring? I'd love to join your team"}, "disqualified", "utter_close_job_seeker"),
        ({"company": "Drift"}, "disqualified", "utter_close_competitor"),
        ({"use_case": "we're a customer and the widget stopped working"}, "support", "utter_close_support"),
    ],
)
def test_submit_scores_stores_and_closes_by_tier(
    services: Services, domain: Dict[str, Any], changes: Dict[str, str], tier: str, response: str
) -> None:
    said = {**CQL, **changes}
    slots = _slots(**said)
    store_answers(services, "visitor-1", said, slots)
    events, messages = run(ActionSubmitQualification(), make_tracker(domain, slots=slots, active_loop=None), domain)
    assert events == [slot_event("qualification_done", True), slot_event("lead_tier", tier)]
    assert [m["response"] for m in messages] == [response]
    record = services.leads.conversation_record("visitor-1")
    assert record is not None and record["outcome"] == "completed"
    lead = record["lead"]
    assert lead["status"] == tier
    assert lead["policy_version"] == services.scoring.policy_version
    assert sum(reason["points"] for reason in lead["reasons"]) == lead["score"]
    assert [(c["from"], c["to"], c["cause"]) for c in lead["status_history"]] == [("new", tier, "scored")]


def test_the_nurture_close_names_a_resource_that_fits(services: Services, domain: Dict[str, Any]) -> None:
    slots = _slots(
        **{**CQL, "use_case": "assign leads by territory", "role": "analyst", "timeline": "next year", "budget": "none"}
    )
    _, messages = run(ActionSubmitQualification(), make_tracker(domain, slots=slots, active_loop=None), domain)
    assert messages[0]["response"] == "utter_close_nurture"
    assert messages[0]["resource_url"].endswith("/lead-routing-playbook")


def test_a_consented_lead_is_scored_on_its_stored_answers_not_on_the_trackers(
    services: Services, domain: Dict[str, Any]
) -> None:
    said = {**CQL, "role": "data analyst", "timeline": "just researching", "budget": "none", "company_size": "5"}
    store_answers(services, "visitor-1", said, _slots(**said))
    forged = _slots(**CQL)  # a tracker that claims a VP of 600 with budget
    events, messages = run(ActionSubmitQualification(), make_tracker(domain, slots=forged, active_loop=None), domain)
    assert slot_event("lead_tier", "cql") not in events and messages[0]["response"] != "utter_close_cql"
    assert services.leads.conversation_record("visitor-1")["lead"]["status"] != "cql"  # type: ignore[index]


def store_answers(services: Services, sender: str, said: Dict[str, str], slots: Dict[str, Any]) -> None:
    """A consented conversation whose every answer is stored, as the form stores them."""
    services.leads.record_consent(sender, VisitContext())
    playbook = services.playbook
    records = [
        AnswerRecord(slot, playbook.question(slot).parser.value, said[slot], value, True)  # type: ignore[union-attr]
        for slot, value in slots.items()
    ]
    services.leads.record_turn(sender, records, None)


def test_scoring_without_consent_stores_nothing_but_still_closes(services: Services, domain: Dict[str, Any]) -> None:
    _, messages = run(ActionSubmitQualification(), make_tracker(domain, slots=_slots(**CQL), active_loop=None), domain)
    assert [m["response"] for m in messages] == ["utter_close_cql"]
    assert services.leads.conversation_record("visitor-1") is None


def test_stop_leaves_the_form_and_keeps_the_answers(services: Services, domain: Dict[str, Any]) -> None:
    tracker = make_tracker(
        domain, slots={"requested_slot": "role", "company": "Acme"}, said=[user_event("not now", "stop")]
    )
    events, messages = run(ActionStopQualification(), tracker, domain)
    assert [m["response"] for m in messages] == ["utter_stopped"]
    assert events == [{"event": "active_loop", "timestamp": None, "name": None}, slot_event("requested_slot", None)]


def test_why_do_you_ask_explains_the_question_on_the_table(services: Services, domain: Dict[str, Any]) -> None:
    tracker = make_tracker(domain, slots={"requested_slot": "company_size", "consent": True},
                           said=[user_event("why?", "ask_why")])  # fmt: skip
    _, messages = run(ActionLead(), tracker, domain)
    assert [m["text"] for m in messages] == [services.playbook.question("company_size").why]  # type: ignore[union-attr]
    _, messages = run(
        ActionLead(), make_tracker(domain, active_loop=None, said=[user_event("why?", "ask_why")]), domain
    )
    assert messages[0]["response"] == "utter_why_generic"


@pytest.mark.parametrize(
    ("tier", "response"),
    [("cql", "utter_contact_cql"), ("nurture", "utter_contact_nurture"), ("disqualified", "utter_contact_general"),
     ("support", "utter_contact_support"), (None, "utter_contact_general")],
)  # fmt: skip
def test_after_the_close_a_person_is_offered_by_tier(
    services: Services, domain: Dict[str, Any], tier: str | None, response: str
) -> None:
    tracker = make_tracker(
        domain, slots={"qualification_done": True, "lead_tier": tier}, said=[user_event("a human", "request_human")],
        active_loop=None,
    )  # fmt: skip
    _, messages = run(ActionContactRoute(), tracker, domain)
    assert [m["response"] for m in messages] == [response]
    text = domain["responses"][response][0]["text"].format(
        **{k: v for k, v in messages[0].items() if isinstance(v, str)}
    )
    assert "{" not in text  # every placeholder is filled from ops/scoring.yml
    assert ("account executive" in text) == (tier == "cql")  # nobody else is promised a meeting


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


def test_a_knockout_read_into_an_answer_is_taken_back_by_a_demo_request(
    services: Services, domain: Dict[str, Any]
) -> None:
    closed = {"consent": True, "use_case": "we lose leads at night", "knockout": "support", "qualification_done": True,
              "lead_tier": "disqualified"}  # fmt: skip
    events, messages = run(
        ActionLead(), make_tracker(domain, slots=closed, said=[user_event("/request_demo", "request_demo")],
                                   active_loop=None), domain,
    )  # fmt: skip
    assert [m["response"] for m in messages] == ["utter_reopened"]
    assert slot_event("knockout", None) in events and slot_event("qualification_done", False) in events
    assert slot_event("next_step", "form") in events


def test_a_knockout_the_answers_give_stands(services: Services, domain: Dict[str, Any]) -> None:
    closed = {"consent": True, "role": {"title": "Student", "seniority": "student"}, "knockout": "student",
              "qualification_done": True, "lead_tier": "student"}  # fmt: skip
    events, messages = run(
        ActionLead(), make_tracker(domain, slots=closed, said=[user_event("/request_demo", "request_demo")],
                                   active_loop=None), domain,
    )  # fmt: skip
    assert slot_event("knockout", None) not in events
    assert "utter_reopened" not in [m.get("response") for m in messages]
