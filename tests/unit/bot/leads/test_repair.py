"""The lead store brought level with trackers Rasa itself wrote, when the store missed writes."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, SlotSet, UserUttered

from bot.db import make_engine
from bot.leads.repair import LeadRepair
from bot.leads.store import LeadStore, VisitContext
from bot.leads.transcripts import TranscriptStore
from bot.playbook import Parser
from bot.qualification.understand import understand
from bot.services import Services
from tests.support.transcripts import START, write_events

#: What a qualified visitor typed, question by question, and what the form understood.
SAID = {
    "use_case": (Parser.TEXT, "we lose inbound leads at night"),
    "full_name": (Parser.NAME, "Ana Silva"),
    "work_email": (Parser.EMAIL, "ana@northwind.example"),
    "company": (Parser.COMPANY, "Northwind"),
    "role": (Parser.ROLE, "VP of Sales"),
    "company_size": (Parser.COMPANY_SIZE, "about 400 people"),
    "timeline": (Parser.TIMELINE, "this quarter"),
    "budget": (Parser.BUDGET, "yes, it's approved"),
    "country": (Parser.COUNTRY, "Germany"),
}


def conversation(
    consent: bool = True, answered: int = len(SAID), submitted: bool = True, email: str = "ana@northwind.example"
) -> List[Event]:
    """A tracker's events: the visitor consents, answers ``answered`` questions, is scored."""
    said = {**SAID, "work_email": (Parser.EMAIL, email)}
    at = iter(range(START, START + 10_000, 5))
    events: List[Event] = [
        SessionStarted(timestamp=next(at)),
        SlotSet("page_url", "https://cqlbot.example/pricing", timestamp=next(at)),
        UserUttered("hi, we'd like a demo", timestamp=next(at)),
        SlotSet("consent", consent, timestamp=next(at)),
    ]
    for slot, (parser, text) in list(said.items())[:answered]:
        events.append(SlotSet("requested_slot", slot, timestamp=next(at)))
        events.append(UserUttered(text, timestamp=next(at)))
        events.append(SlotSet(slot, understand(parser, text, date(2026, 11, 23)), timestamp=next(at)))
    if submitted:
        events.append(ActionExecuted("action_submit_qualification", timestamp=next(at)))
        events.append(SlotSet("qualification_done", True, timestamp=next(at)))
    return events


@pytest.fixture
def tracker_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tracker.db'}"


@pytest.fixture
def repair(services: Services, store: LeadStore, tracker_url: str) -> LeadRepair:
    return LeadRepair(store, TranscriptStore(make_engine(tracker_url)), services.playbook, services.scoring)


def stored(store: LeadStore, sender: str) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    record = store.conversation_record(sender)
    assert record is not None
    return record, record["lead"]


def test_a_conversation_whose_every_write_was_lost_is_rebuilt_whole(
    repair: LeadRepair, store: LeadStore, tracker_url: str
) -> None:
    write_events(tracker_url, "lost", conversation())

    result = repair.repair("lost")

    assert result.restored and result.rescored
    record, lead = stored(store, "lost")
    assert record["consent_given_at"] is not None and record["consent_withdrawn_at"] is None
    assert record["outcome"] == "completed"
    assert record["page_url"] == "https://cqlbot.example/pricing"
    assert {slot: answer["raw_text"] for slot, answer in record["answers"].items()} == {
        slot: text for slot, (_parser, text) in SAID.items()
    }
    assert all(answer["parsed"] for answer in record["answers"].values())
    assert (lead["email"], lead["full_name"], lead["company"]) == ("ana@northwind.example", "Ana Silva", "Northwind")
    assert lead["status"] == "cql" and lead["score"] is not None
    assert [change["cause"] for change in lead["status_history"]] == ["repaired"]


def test_repairing_again_changes_nothing(repair: LeadRepair, store: LeadStore, tracker_url: str) -> None:
    write_events(tracker_url, "twice", conversation())
    repair.repair("twice")
    before = store.conversation_record("twice")

    again = repair.repair("twice")

    assert not again.changed
    assert store.conversation_record("twice") == before


def test_a_store_that_missed_some_answers_gets_them_and_keeps_its_own(
    repair: LeadRepair, store: LeadStore, tracker_url: str
) -> None:
    events = conversation(answered=3, submitted=False)
    write_events(tracker_url, "partial", events[:8])  # consent and the first answer reached the store
    repair.repair("partial")
    write_events(tracker_url, "partial", events[8:])  # then two answers missed it

    assert repair.repair("partial").restored
    record, lead = stored(store, "partial")
    assert set(record["answers"]) >= {"use_case", "full_name", "work_email"}
    assert record["answers"]["use_case"]["attempts"] == 1
    assert lead["email"] == "ana@northwind.example"
    assert lead["status"] == "new", "not scored: the questions were not finished"


def test_consent_declined_in_the_tracker_is_withdrawn_in_the_store(
    repair: LeadRepair, store: LeadStore, tracker_url: str
) -> None:
    store.record_consent("declined", VisitContext(None, {}, None))
    write_events(tracker_url, "declined", conversation(answered=2, submitted=False))
    repair.repair("declined")
    write_events(tracker_url, "declined", [UserUttered("forget me", timestamp=START + 900)])
    write_events(tracker_url, "declined", [SlotSet("consent", False, timestamp=START + 901)])

    assert repair.repair("declined").restored
    record = store.conversation_record("declined")
    assert record is not None and record["consent_withdrawn_at"] is not None
    assert record["answers"] == {} and record["lead"] is None


def test_nothing_is_kept_for_a_visitor_who_never_consented(
    repair: LeadRepair, store: LeadStore, tracker_url: str
) -> None:
    write_events(tracker_url, "never", conversation(consent=False))
    assert not repair.repair("never").changed
    assert store.conversation_record("never") is None


def test_an_erased_lead_is_never_brought_back(repair: LeadRepair, store: LeadStore, tracker_url: str) -> None:
    write_events(tracker_url, "erased", conversation())
    repair.repair("erased")
    lead_id = store.lead_id_for("erased")
    assert lead_id is not None
    store.erase(lead_id)

    assert not repair.repair("erased").changed
    record = store.conversation_record("erased")
    assert record is not None and all(answer["raw_text"] is None for answer in record["answers"].values())


def test_a_tier_set_by_hand_is_not_scored_over(repair: LeadRepair, store: LeadStore, tracker_url: str) -> None:
    write_events(tracker_url, "override", conversation())
    repair.repair("override")
    lead_id = store.lead_id_for("override")
    assert lead_id is not None
    assert store.override_status(lead_id, "nurture", "ops:sam")

    assert not repair.repair("override").rescored
    assert stored(store, "override")[1]["status"] == "nurture"


def test_only_the_latest_session_counts_and_carried_slots_are_kept(
    repair: LeadRepair, store: LeadStore, tracker_url: str
) -> None:
    write_events(tracker_url, "long", conversation(answered=2, submitted=False))
    carried = [SessionStarted(timestamp=START + 5000), SlotSet("consent", True, timestamp=START + 5000)]
    carried.append(SlotSet("use_case", "we lose inbound leads at night", timestamp=START + 5000))
    write_events(tracker_url, "long", carried)

    repair.repair("long")

    record, _lead = stored(store, "long")
    assert set(record["answers"]) == {"use_case"}


def test_repair_all_covers_every_consented_conversation_once(
    repair: LeadRepair, store: LeadStore, tracker_url: str
) -> None:
    for sender in ("one", "two"):
        write_events(tracker_url, sender, conversation(email=f"{sender}@northwind.example"))
    write_events(tracker_url, "no", conversation(consent=False))

    report = repair.repair_all()

    assert (report.checked, report.restored, report.rescored, report.failed) == (2, 2, 2, 0)
    assert report.bookings_without_lead == []
    assert store.conversation_record("no") is None
    assert repair.repair_all().restored == 0
