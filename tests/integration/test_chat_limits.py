"""The chat channel turns away malformed, oversized and flooding requests before anything is stored."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from sqlalchemy import text

from bot.db import make_engine
from bot.rasa_plugins.channels import MAX_MESSAGE_CHARS, MAX_STORED_CHARS, SENDER_BURST, TOO_FAST, TOO_LONG
from bot.stack import Stack
from tests.support.stack import Visitor


def webhook(stack: Stack) -> str:
    return f"http://127.0.0.1:{stack.ports.rasa}/webhooks/rest/webhook"


def stored_events(stack: Stack, sender: str) -> int:
    engine = make_engine(stack.env["TRACKER_DATABASE_URL"])
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}).scalar())


def post(stack: Stack, **kwargs: Any) -> requests.Response:
    return requests.post(webhook(stack), timeout=60, **kwargs)


def test_malformed_bodies_get_400_with_a_reason_and_store_nothing(stack: Stack) -> None:
    sender = f"it-{uuid.uuid4().hex[:12]}"
    bodies = {
        "an array": {"json": [{"sender": sender, "message": "hi"}]},
        "empty": {"data": b""},
        "not JSON": {"data": b"{sender: hi", "headers": {"Content-Type": "application/json"}},
        "no sender": {"json": {"message": "hi"}},
        "a 10,000-character sender": {"json": {"sender": "x" * 10_000, "message": "hi"}},
        "a sender with spaces": {"json": {"sender": "a b", "message": "hi"}},
        "a number as the message": {"json": {"sender": sender, "message": 42}},
        "an object as the message": {"json": {"sender": sender, "message": {"text": "hi"}}},
        "null as the message": {"json": {"sender": sender, "message": None}},
        "metadata that is a string": {"json": {"sender": sender, "message": "hi", "metadata": "tz"}},
    }
    for name, body in bodies.items():
        answer = post(stack, **body)
        assert answer.status_code == 400, name
        assert answer.json()["reason"], name
    assert stored_events(stack, sender) == 0
    assert stored_events(stack, "default") == 0


def test_a_huge_message_is_refused_politely_and_not_stored(stack: Stack) -> None:
    visitor = Visitor(stack)
    answer = post(stack, json={"sender": visitor.sender, "message": "x" * (MAX_MESSAGE_CHARS + 1)})
    assert answer.status_code == 413
    assert answer.json() == [{"recipient_id": visitor.sender, "text": TOO_LONG}]
    answer = post(stack, json={"sender": visitor.sender, "message": "y" * 1_000_000})
    assert answer.status_code == 413
    assert stored_events(stack, visitor.sender) == 0
    assert visitor.texts("hello"), "the same visitor goes on with a message of a normal size"


def test_a_long_message_is_answered_and_stored_cut(stack: Stack) -> None:
    visitor = Visitor(stack)
    long_paste = "our reps cannot keep up with inbound chats at night " * 200  # about 10,000 characters
    assert visitor.texts(long_paste)
    engine = make_engine(stack.env["TRACKER_DATABASE_URL"])
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user'"), {"s": visitor.sender}
        ).scalar()
    assert stored is not None
    said = json.loads(stored)["text"]
    assert long_paste.startswith(said) and MAX_STORED_CHARS - 200 < len(said) <= MAX_STORED_CHARS


def test_a_flooding_sender_is_turned_away_at_once_and_others_are_served(stack: Stack) -> None:
    flooder = f"it-flood-{uuid.uuid4().hex[:8]}"
    with ThreadPoolExecutor(max_workers=40) as pool:
        answers = list(pool.map(lambda n: post(stack, json={"sender": flooder, "message": f"spam {n}"}), range(200)))
    refused = [a for a in answers if a.status_code == 429]
    served = [a for a in answers if a.status_code == 200]
    assert len(refused) + len(served) == 200
    assert len(served) <= SENDER_BURST
    assert len(refused) >= 200 - SENDER_BURST
    assert all(a.json() == [{"recipient_id": flooder, "text": TOO_FAST}] for a in refused)
    assert stored_events(stack, flooder) > 0
    bystander = Visitor(stack)
    assert bystander.texts("hi"), "a new visitor is answered"
