"""The action server speaks Rasa 3.6's action protocol as rasa-sdk 3.6.2 did.

Replays every action call a real Rasa 3.6.21 made in a dozen recorded
conversations (tests/contract/record.py: the session start, the director,
both forms' validation actions with slot extraction, consent, the booking
actions) against our action server with the installed rasa-sdk, under a
stopped clock on a fresh database, and expects each answer (status, events,
responses and every field rasa-sdk writes into them) to be the one rasa-sdk
3.6.2 gave. Only generated ids differ from run to run; they are compared by
where they first appear.
"""

from __future__ import annotations

import gzip
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List

import pytest

from tests.support.action_replay import replay

RECORDED = Path(__file__).resolve().parent / "recorded"
GENERATED_ID = re.compile(r"\b[0-9a-f]{32}\b")
#: Every action Rasa calls on our server in the recorded conversations.
KINDS = {"action_session_start", "action_lead", "action_record_consent", "action_decline_consent",
         "validate_qualification_form", "action_submit_qualification", "validate_booking_form",
         "action_ask_slot_pick", "action_booking_outcome"}  # fmt: skip


def read_lines(name: str) -> List[Dict[str, Any]]:
    with gzip.open(RECORDED / name, "rt", encoding="utf-8") as rows:
        return [json.loads(row) for row in rows]


def comparable(answers: List[Dict[str, Any]]) -> List[str]:
    """Each answer as sorted JSON, its generated ids numbered in order of appearance."""
    seen: Dict[str, str] = {}

    def number(match: re.Match) -> str:
        return seen.setdefault(match.group(0), f"<id {len(seen) + 1}>")

    return [GENERATED_ID.sub(number, json.dumps(answer, sort_keys=True)) for answer in answers]


def first_difference(expected: List[Dict[str, Any]], got: List[Dict[str, Any]], calls: List[Dict[str, Any]]) -> str:
    for index, (want, have) in enumerate(zip(comparable(expected), comparable(got), strict=True)):
        if want != have:
            return (
                f"call {index} ({calls[index]['next_action']}):\n  rasa-sdk 3.6.2: {want[:1500]}\n  now: {have[:1500]}"
            )
    return ""


@pytest.fixture(scope="module")
def calls() -> List[Dict[str, Any]]:
    return read_lines("rasa36_calls.jsonl.gz")


def test_the_recording_is_rasa_36_and_holds_every_kind_of_call(calls: List[Dict[str, Any]]) -> None:
    assert {call["version"] for call in calls} == {"3.6.21"}
    assert {call["next_action"] for call in calls} == KINDS
    validations = [call for call in calls if call["next_action"].startswith("validate_")]
    assert {call["tracker"]["active_loop"].get("name") for call in validations} == {
        "qualification_form", "booking_form"
    }  # fmt: skip
    assert all(call["domain"]["forms"] for call in validations)  # slot mappings travel with the call


def test_every_answer_is_the_one_rasa_sdk_362_gave(calls: List[Dict[str, Any]], tmp_path: Path) -> None:
    meta = json.loads((RECORDED / "recorded.json").read_text(encoding="utf-8"))
    expected = read_lines("rasa_sdk362_answers.jsonl.gz")
    got = replay(calls, datetime.fromisoformat(meta["now"]), tmp_path)
    assert len(got) == len(expected) == meta["calls"]
    assert not first_difference(expected, got, calls)


def test_calls_without_the_domains_responses_get_the_same_answers(calls: List[Dict[str, Any]], tmp_path: Path) -> None:
    """The Rasa server leaves the responses out of the domain it sends (rasa_server/patches/action_domain.py)."""
    meta = json.loads((RECORDED / "recorded.json").read_text(encoding="utf-8"))
    expected = read_lines("rasa_sdk362_answers.jsonl.gz")
    lighter = [{**call, "domain": {k: v for k, v in call["domain"].items() if k != "responses"}} for call in calls]
    assert all("responses" in call["domain"] for call in calls)
    got = replay(lighter, datetime.fromisoformat(meta["now"]), tmp_path)
    assert not first_difference(expected, got, calls)


def test_a_changed_answer_is_caught(calls: List[Dict[str, Any]]) -> None:
    expected = read_lines("rasa_sdk362_answers.jsonl.gz")
    changed = json.loads(json.dumps(expected))
    changed[2]["body"]["events"][0]["timestamp"] = 0.0  # as a newer rasa-sdk might write it
    assert first_difference(expected, changed, calls).startswith("call 2 (action_record_consent)")
    assert not first_difference(expected, json.loads(json.dumps(expected)), calls)
