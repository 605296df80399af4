"""The lead store brought level with trackers Rasa itself wrote, when the store missed writes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

from bot.clock import FixedClock
from bot.db import make_engine
from bot.leads.repair import LeadRepair
from bot.leads.store import AnswerRecord, LeadStore, VisitContext
from bot.leads.transcripts import TranscriptStore
from bot.playbook import Parser
from bot.qualification.understand import SKIPPED, kept_as_typed, understand
from bot.services import Services
from tests.conftest import NOW
from tests.support.transcripts import Event, action_executed, session_started, slot_set, user_uttered, write_events

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


#: The trackers' conversations happen in the hour before the tests' "now".
START = int(NOW.timestamp()) - 3600


def conversation(
    consent: bool = True, answered: int = len(SAID), submitted: bool = True, email: str = "ana@northwind.example"
) -> List[Event]:
    """A tracker's events: the visitor consents, answers ``answered`` questions, is scored."""
    said = {**SAID, "work_email": (Parser.EMAIL, email)}
    at = iter(range(START, START + 10_000, 5))
    events: List[Event] = [
        session_started(timestamp=next(at)),
        slot_set("page_url", "https://cqlbot.example/pricing", timestamp=next(at)),
        user_uttered("hi, we'd like a demo", timestamp=next(at)),
        slot_set("consent", consent, timestamp=next(at)),
    ]
    for slot, (parser, text) in list(said.items())[:answered]:
        events.append(slot_set("requested_slot", slot, timestamp=next(at)))
        events.append(user_uttered(text, timestamp=next(at)))
        events.append(slot_set(slot, understand(parser, text, date(2026, 11, 23)), timestamp=next(at)))
    if submitted:
        events.append(action_executed("action_submit_qualification", timestamp=next(at)))
        events.append(slot_set("qualification_done", True, timestamp=next(at)))
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


def test_a_rebuilt_conversation_and_its_lead_keep_the_language_the_tracker_held_it_in(
    repair: LeadRepair, store: LeadStore, tracker_url: str
) -> None:
    events = conversation()
    events.insert(1, slot_set("language", "de", timestamp=START))
    write_events(tracker_url, "lost-de", events)
    forged = conversation(email="ben@southwind.example")
    write_events(
        tracker_url, "lost-forged", [forged[0], slot_set("language", "<b>x</b>", timestamp=START), *forged[1:]]
    )

    repair.repair("lost-de")
    repair.repair("lost-forged")

    record, lead = stored(store, "lost-de")
    assert (record["language"], lead["language"]) == ("de", "de")
    assert store.conversation_language("lost-forged") == "en"  # a value the bot does not speak is never stored


def test_repairing_again_changes_nothing(repair: LeadRepair, store: LeadStore, tracker_url: str) -> None:
    write_events(tracker_url, "twice", conversation())
    repair.repair("twice")
    before = store.conversation_record("twice")

    again = repair.repair("twice")

    assert not again.changed
    assert store.conversation_record("twice") == before


def test_a_store_that_missed_some_answers_gets_them_and_keeps_its_own(
    repair: LeadRepair, store: LeadStore, tracker_url: str, clock: FixedClock
) -> None:
    write_events(tracker_url, "partial", conversation(answered=3, submitted=False))
    clock.at = datetime.fromtimestamp(START + 30, UTC)  # the store took consent and the first answer
    store.record_consent("partial", VisitContext(None, {}, None))
    store.record_answer("partial", AnswerRecord("use_case", "text", "we lose inbound leads at night",
                                                "we lose inbound leads at night", True))  # fmt: skip

    assert repair.repair("partial").restored
    record, lead = stored(store, "partial")
    assert set(record["answers"]) >= {"use_case", "full_name", "work_email"}
    assert record["answers"]["use_case"]["attempts"] == 1, "the stored answer kept, not counted again"
    assert lead["email"] == "ana@northwind.example"
    assert lead["status"] == "new", "not scored: the questions were not finished"


def test_an_answer_the_store_took_after_the_tracker_was_read_is_kept(
    repair: LeadRepair, store: LeadStore, tracker_url: str, clock: FixedClock
) -> None:
    write_events(tracker_url, "lagging", conversation(answered=2, submitted=False))
    store.record_consent("lagging", VisitContext(None, {}, None))
    store.record_answer("lagging", AnswerRecord("full_name", "name", "Ana Souza", "Ana Souza", True))  # at NOW: newer

    repair.repair("lagging")

    record, _lead = stored(store, "lagging")
    assert record["answers"]["full_name"]["value"] == "Ana Souza"
    assert record["answers"]["use_case"]["raw_text"] == "we lose inbound leads at night"


def test_consent_declined_in_the_tracker_is_withdrawn_in_the_store(
    repair: LeadRepair, store: LeadStore, tracker_url: str, clock: FixedClock
) -> None:
    clock.at = datetime.fromtimestamp(START + 20, UTC)
    store.record_consent("declined", VisitContext(None, {}, None))
    write_events(tracker_url, "declined", conversation(answered=2, submitted=False))
    repair.repair("declined")
    write_events(tracker_url, "declined", [user_uttered("forget me", timestamp=START + 900)])
    write_events(tracker_url, "declined", [slot_set("consent", False, timestamp=START + 901)])

    assert repair.repair("declined").restored
    record = store.conversation_record("declined")
    assert record is not None and record["consent_withdrawn_at"] is not None
    assert record["answers"] == {} and record["lead"] is None


def test_a_withdrawal_the_tracker_does_not_know_of_yet_stands(
    repair: LeadRepair, store: LeadStore, tracker_url: str
) -> None:
    write_events(tracker_url, "withdrew", conversation(answered=2, submitted=False))
    repair.repair("withdrew")
    store.withdraw_consent("withdrew")  # at NOW, after everything the tracker holds

    assert not repair.repair("withdrew").changed
    record = store.conversation_record("withdrew")
    assert record is not None and record["consent_withdrawn_at"] is not None and record["answers"] == {}


def test_a_question_skipped_after_two_asks_is_not_stored_as_an_answer(
    repair: LeadRepair, store: LeadStore, tracker_url: str
) -> None:
    events = conversation(answered=3, submitted=False)  # use case, name, email
    events.append(slot_set("company", kept_as_typed(Parser.COMPANY, SKIPPED), timestamp=START + 900))
    events.append(slot_set("role", kept_as_typed(Parser.ROLE, SKIPPED), timestamp=START + 901))
    write_events(tracker_url, "skipped", events)

    repair.repair("skipped")

    record, lead = stored(store, "skipped")
    assert "role" not in record["answers"] and "company" not in record["answers"]
    assert lead["company"] is None and lead["role_title"] is None


def test_one_person_in_two_conversations_is_scored_from_the_latest_and_once(
    repair: LeadRepair, store: LeadStore, tracker_url: str
) -> None:
    write_events(tracker_url, "first", conversation())
    second = conversation() + [
        user_uttered("actually I'm a student", timestamp=START + 1999),  # a correction after the close
        slot_set("role", understand(Parser.ROLE, "student", date(2026, 11, 23)), timestamp=START + 2000),
        action_executed("action_submit_qualification", timestamp=START + 2001),
    ]
    write_events(tracker_url, "second", second)
    repair.repair_all()
    status = stored(store, "second")[1]["status"]

    again = repair.repair_all()

    assert (again.restored, again.rescored) == (0, 0)
    assert stored(store, "first")[1]["status"] == status
    assert status != "cql", "the later conversation's answers decide"


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


def test_a_conversation_over_two_sessions_keeps_what_each_said(
    repair: LeadRepair, store: LeadStore, tracker_url: str
) -> None:
    write_events(tracker_url, "long", conversation(answered=2, submitted=False))
    carried = [session_started(timestamp=START + 3000), slot_set("consent", True, timestamp=START + 3000)]
    carried.append(slot_set("use_case", "we lose inbound leads at night", timestamp=START + 3000))
    carried.append(slot_set("full_name", "Ana Silva", timestamp=START + 3000))
    write_events(tracker_url, "long", carried)

    repair.repair("long")

    record, _lead = stored(store, "long")
    assert {slot: answer["raw_text"] for slot, answer in record["answers"].items()} == {
        "use_case": "we lose inbound leads at night", "full_name": "Ana Silva"
    }  # fmt: skip


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
