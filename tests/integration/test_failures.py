"""Parts of the stack fail mid-conversation: nothing the visitor said is lost or misfiled.

These tests pause and kill processes, so they run on a stack of their own
(never the session's shared one), with the supervisor of ``make run``
watching it and a short action timeout.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import closing, contextmanager
from typing import Callable, Dict, Iterator

import pytest
from sqlalchemy import text

from bot.clock import SystemClock
from bot.db import make_engine, make_session_factory
from bot.leads.store import LeadStore
from bot.processes.stack import Stack
from bot.processes.supervisor import Supervisor
from bot.web.app import DATABASE_PROBE_REUSE_SECONDS
from tests.integration.test_conversations import ANSWERS, question_asked
from tests.support.stack import Visitor, start_stack

ACTION_TIMEOUT = 3
SESSION_CAP = 80
REPAIR_SWEEP = 1
#: The lead store's tables a visitor's conversation writes.
LEAD_TABLES = ("conversations", "answers", "leads", "lead_status_changes", "chat_opens", "health_probes")


@pytest.fixture(scope="module")
def failing_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("failures")
    running = start_stack(workdir, f"sqlite:///{workdir / 'leads.db'}", f"sqlite:///{workdir / 'tracker.db'}",
                          {"ACTION_TIMEOUT_SECONDS": str(ACTION_TIMEOUT), "SESSION_MAX_EVENTS": str(SESSION_CAP),
                           "REPAIR_SWEEP_SECONDS": str(REPAIR_SWEEP)})  # fmt: skip
    supervisor = Supervisor(running.group)
    watching = threading.Event()
    watching.set()

    def watch() -> None:
        while watching.is_set():
            supervisor.tick()
            time.sleep(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    yield running
    watching.clear()
    watcher.join()
    running.stop()


@pytest.fixture(scope="module")
def leads(failing_stack: Stack) -> LeadStore:
    return LeadStore(make_session_factory(make_engine(failing_stack.env["DATABASE_URL"])), SystemClock())


def signal_process(stack: Stack, name: str, signum: int) -> None:
    os.killpg(stack.processes[name].pid, signum)


def consented_visitor(stack: Stack, domain_texts: Dict[str, str]) -> tuple[Visitor, str]:
    visitor = Visitor(stack)
    visitor.say("hello")
    slot = question_asked(visitor.texts("/give_consent"), domain_texts)
    assert slot is not None
    return visitor, slot


def test_an_answer_sent_while_the_action_server_hangs_is_asked_for_again_and_then_kept(
    failing_stack: Stack, leads: LeadStore, domain_texts: Dict[str, str]
) -> None:
    visitor, slot = consented_visitor(failing_stack, domain_texts)
    signal_process(failing_stack, "actions", signal.SIGSTOP)
    try:
        started = time.monotonic()
        texts = visitor.texts(ANSWERS[slot])
        waited = time.monotonic() - started
    finally:
        signal_process(failing_stack, "actions", signal.SIGCONT)
    assert waited < ACTION_TIMEOUT + 5
    assert texts[0] == domain_texts["utter_action_failed"]
    assert question_asked(texts, domain_texts) == slot, "the same question again"

    next_slot = question_asked(visitor.texts(ANSWERS[slot]), domain_texts)
    assert next_slot not in (None, slot)
    record = leads.conversation_record(visitor.sender)
    assert record is not None
    assert record["answers"][slot]["raw_text"] == ANSWERS[slot]
    # The next answer goes to the next question, not to the one that failed.
    visitor.texts(ANSWERS[next_slot])
    record = leads.conversation_record(visitor.sender)
    assert record is not None
    assert record["answers"][next_slot]["raw_text"] == ANSWERS[next_slot]
    assert record["answers"][slot]["raw_text"] == ANSWERS[slot]


def test_consent_given_while_the_action_server_hangs_is_asked_for_again_and_nothing_goes_on_without_it(
    failing_stack: Stack, leads: LeadStore, domain_texts: Dict[str, str]
) -> None:
    visitor = Visitor(failing_stack)
    assert visitor.texts("hello")[-1] == domain_texts["utter_ask_consent"]
    signal_process(failing_stack, "actions", signal.SIGSTOP)
    try:
        replies = visitor.say("/give_consent")
    finally:
        signal_process(failing_stack, "actions", signal.SIGCONT)
    assert replies[0]["text"] == domain_texts["utter_action_failed"]
    assert replies[-1]["text"] == domain_texts["utter_ask_consent"]
    assert [b["payload"] for b in replies[-1]["buttons"]] == ["/give_consent", "/deny_consent"]

    assert question_asked(visitor.texts("/give_consent"), domain_texts) is not None
    record = leads.conversation_record(visitor.sender)
    assert record is not None and record["consent_given_at"] is not None


def test_a_killed_action_server_is_started_again_and_the_conversation_goes_on(
    failing_stack: Stack, leads: LeadStore, domain_texts: Dict[str, str]
) -> None:
    visitor, slot = consented_visitor(failing_stack, domain_texts)
    killed = failing_stack.processes["actions"].pid
    signal_process(failing_stack, "actions", signal.SIGKILL)
    texts = visitor.texts(ANSWERS[slot])
    if texts[0] == domain_texts["utter_action_failed"]:  # it was not back within the retry window
        texts = visitor.texts(ANSWERS[slot])
    assert failing_stack.processes["actions"].pid != killed
    assert question_asked(texts, domain_texts) not in (None, slot)
    record = leads.conversation_record(visitor.sender)
    assert record is not None and record["answers"][slot]["raw_text"] == ANSWERS[slot]


def health(stack: Stack) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{stack.ports.web}/healthz", timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_health_reports_a_lead_store_that_answers_reads_but_takes_no_writes(failing_stack: Stack) -> None:
    assert health(failing_stack)[1]["checks"]["database"]["ok"] is True
    blocker = sqlite3.connect(failing_stack.env["DATABASE_URL"].removeprefix("sqlite:///"), timeout=1)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # holds the write lock: reads go on, every write waits
        time.sleep(DATABASE_PROBE_REUSE_SECONDS)  # past the last probe's result
        status, body = health(failing_stack)
        assert status == 503
        assert body["checks"]["database"]["ok"] is False
        assert body["checks"]["database"]["error"]
    finally:
        blocker.rollback()
        blocker.close()
    time.sleep(DATABASE_PROBE_REUSE_SECONDS)
    status, body = health(failing_stack)
    assert (status, body["checks"]["database"]["ok"]) == (200, True)


def test_a_long_conversation_starts_a_new_session_with_its_answers_carried_over(
    failing_stack: Stack, leads: LeadStore, domain_texts: Dict[str, str]
) -> None:
    visitor, slot = consented_visitor(failing_stack, domain_texts)
    visitor.texts(ANSWERS[slot])
    for n in range(20):
        assert visitor.texts(f"hmm, let me think about that ({n})"), "every message is answered"
    engine = make_engine(failing_stack.env["TRACKER_DATABASE_URL"])
    with engine.connect() as connection:
        types = [row[0] for row in connection.execute(
            text("SELECT type_name FROM events WHERE sender_id = :s ORDER BY id"), {"s": visitor.sender})]  # fmt: skip
    starts = [n for n, kind in enumerate(types) if kind == "session_started"]
    assert len(starts) >= 2, "the session was cut"
    assert all(later - earlier <= SESSION_CAP + 20 for earlier, later in itertools.pairwise(starts))
    record = leads.conversation_record(visitor.sender)
    assert record is not None and record["answers"][slot]["raw_text"] == ANSWERS[slot]


def wait_until(check: Callable[[], bool], timeout: float = 180.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def test_a_killed_web_app_is_started_again_while_the_chat_goes_on(
    failing_stack: Stack, domain_texts: Dict[str, str]
) -> None:
    visitor, slot = consented_visitor(failing_stack, domain_texts)
    killed = failing_stack.processes["web"].pid
    signal_process(failing_stack, "web", signal.SIGKILL)
    next_slot = question_asked(visitor.texts(ANSWERS[slot]), domain_texts)
    assert next_slot not in (None, slot), "the chat does not need the web app"
    assert wait_until(lambda: health(failing_stack)[0] == 200)
    assert failing_stack.processes["web"].pid != killed


def test_a_killed_rasa_server_is_started_again_and_the_conversation_resumes_where_it_was(
    failing_stack: Stack, leads: LeadStore, domain_texts: Dict[str, str]
) -> None:
    visitor, slot = consented_visitor(failing_stack, domain_texts)
    next_slot = question_asked(visitor.texts(ANSWERS[slot]), domain_texts)
    assert next_slot not in (None, slot)
    signal_process(failing_stack, "rasa", signal.SIGKILL)
    assert health(failing_stack)[0] == 503 or wait_until(lambda: health(failing_stack)[0] == 503, 10)
    assert wait_until(lambda: health(failing_stack)[0] == 200), "Rasa is back, with its model"
    after = question_asked(visitor.texts(ANSWERS[next_slot]), domain_texts)
    assert after not in (None, slot, next_slot)
    record = leads.conversation_record(visitor.sender)
    assert record is not None
    assert {s: record["answers"][s]["raw_text"] for s in (slot, next_slot)} == {
        s: ANSWERS[s] for s in (slot, next_slot)
    }


@contextmanager
def lead_store_refusing_writes(stack: Stack) -> Iterator[None]:
    """Every insert and update of the lead store's tables fails at once, as on a disk gone
    read-only or full; reads go on."""
    path = stack.env["DATABASE_URL"].removeprefix("sqlite:///")
    triggers = [(f"refuse_{op.lower()}_{table}", op, table) for table in LEAD_TABLES for op in ("INSERT", "UPDATE")]
    with closing(sqlite3.connect(path, timeout=10)) as connection:
        for name, op, table in triggers:
            connection.execute(
                f"CREATE TRIGGER {name} BEFORE {op} ON {table} BEGIN SELECT RAISE(ABORT, 'read-only'); END"
            )
        connection.commit()
    try:
        yield
    finally:
        with closing(sqlite3.connect(path, timeout=10)) as connection:
            for name, _op, _table in triggers:
                connection.execute(f"DROP TRIGGER IF EXISTS {name}")
            connection.commit()


def answer_questions(visitor: Visitor, texts: list[str], domain_texts: Dict[str, str], count: int) -> list[str]:
    """Answers the questions the bot asks, ``count`` of them; returns the bot's last reply."""
    for _ in range(count):
        slot = question_asked(texts, domain_texts)
        assert slot is not None, texts
        texts = visitor.texts(ANSWERS[slot])
    return texts


def test_a_visitor_who_talked_while_the_lead_store_took_no_writes_is_kept_whole_and_books(
    failing_stack: Stack, leads: LeadStore, domain_texts: Dict[str, str]
) -> None:
    visitor = Visitor(failing_stack, metadata={"timezone": "Europe/Berlin"})
    visitor.say("hello")
    with lead_store_refusing_writes(failing_stack):
        texts = visitor.texts("/give_consent")
        texts = answer_questions(visitor, texts, domain_texts, 4)  # four turns, none of them stored
        assert leads.conversation_record(visitor.sender) is None
        time.sleep(DATABASE_PROBE_REUSE_SECONDS)
        assert health(failing_stack)[0] == 503, "the store takes no writes, and /healthz says so"
    replies = visitor.say(ANSWERS[str(question_asked(texts, domain_texts))])
    for _ in range(4):
        replies = visitor.say(ANSWERS[str(question_asked([r.get("text", "") for r in replies], domain_texts))])
    picks = [b["payload"] for r in replies for b in r.get("buttons") or [] if b["payload"].startswith("/pick_slot")]
    assert picks, replies
    assert "You're booked!" in " ".join(r.get("text", "") for r in visitor.say(picks[0]))

    record = leads.conversation_record(visitor.sender)
    assert record is not None and record["consent_given_at"] is not None
    assert {slot: answer["raw_text"] for slot, answer in record["answers"].items()} == ANSWERS
    assert record["outcome"] == "completed"
    assert record["lead"]["status"] == "cql" and record["lead"]["score"] is not None
    assert leads.bookings_without_lead() == []


def test_a_visitor_who_left_while_the_lead_store_took_no_writes_is_repaired_in_the_background(
    failing_stack: Stack, leads: LeadStore, domain_texts: Dict[str, str]
) -> None:
    visitor = Visitor(failing_stack)
    visitor.say("hello")
    with lead_store_refusing_writes(failing_stack):
        answer_questions(visitor, visitor.texts("/give_consent"), domain_texts, 3)
    # The visitor says nothing more: the action server's sweep brings the store level.
    assert wait_until(lambda: len((leads.conversation_record(visitor.sender) or {}).get("answers") or {}) >= 3, 30)
    record = leads.conversation_record(visitor.sender)
    assert record is not None and record["consent_given_at"] is not None
    answered = {slot: answer["raw_text"] for slot, answer in record["answers"].items() if answer["raw_text"]}
    assert answered == {slot: ANSWERS[slot] for slot in answered} and len(answered) == 3


def test_make_repair_finds_every_conversation_level_and_no_booking_without_its_lead(failing_stack: Stack) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli.repair"], env=failing_stack.env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert ": 0 restored, 0 scored again, 0 failed; active bookings without a lead: 0" in done.stdout, done.stdout
