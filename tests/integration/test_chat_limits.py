"""The chat channel turns away malformed, oversized and flooding requests before anything is stored."""

from __future__ import annotations

import json
import queue
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
import socketio
from sqlalchemy import text

from bot.db import make_engine
from bot.processes.stack import Stack
from rasa_server.limits import (
    MAX_MESSAGE_CHARS,
    MAX_STORED_CHARS,
    SENDER_BURST,
    TOO_FAST,
    TOO_LONG,
    UNREADABLE,
)
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


class SocketVisitor:
    """The widget's side of Socket.IO (long-polling), collecting what the bot sends."""

    def __init__(self, stack: Stack) -> None:
        self.client = socketio.Client(reconnection=False)
        self.received: queue.Queue[Any] = queue.Queue()
        self.client.on("session_confirm", lambda data: self.received.put(("confirm", data)))
        self.client.on("bot_uttered", lambda data: self.received.put(("bot", data)))
        self.client.connect(f"http://127.0.0.1:{stack.ports.rasa}", transports=["polling"], wait_timeout=30)

    def next(self) -> Any:
        return self.received.get(timeout=60)

    def close(self) -> None:
        self.client.disconnect()


def test_socketio_events_that_are_malformed_get_a_sentence_and_store_nothing(stack: Stack) -> None:
    visitor = SocketVisitor(stack)
    try:
        visitor.client.emit("session_request", {"session_id": "x" * 10_000})
        kind, session_id = visitor.next()
        assert kind == "confirm" and isinstance(session_id, str) and len(session_id) == 32, "a fresh id instead"
        secret = "I am Ana Ruiz, ana.ruiz@secret-corp.example"
        malformed = [
            ["not", "an", "object"],
            {"session_id": session_id, "message": 42},
            {"session_id": session_id, "message": {"text": secret}},
            {"session_id": session_id, "message": secret, "metadata": "{not json " + secret},
            {"session_id": session_id, "message": secret, "metadata": [secret]},
            {"session_id": "a b c", "message": secret},
            {"session_id": uuid.uuid4().hex, "message": secret},  # another conversation's id, not this connection's
            {"message": secret},
        ]
        for event in malformed:
            visitor.client.emit("user_uttered", event)
            assert visitor.next() == ("bot", {"text": UNREADABLE}), event
        assert stored_events(stack, session_id) == 0

        visitor.client.emit("user_uttered", {"session_id": session_id, "message": "hello", "metadata": {}})
        kind, reply = visitor.next()
        assert kind == "bot" and reply.get("text"), "a well-formed message is answered"
    finally:
        visitor.close()
    log = (stack.group.log_dir / "rasa.log").read_text(errors="replace")
    assert "secret-corp" not in log and "Ana Ruiz" not in log, "no visitor text in the logs"


def test_socketio_messages_are_cut_and_limited_like_rest(stack: Stack) -> None:
    visitor = SocketVisitor(stack)
    try:
        visitor.client.emit("session_request", {"session_id": None})
        _kind, session_id = visitor.next()
        visitor.client.emit("user_uttered", {"session_id": session_id, "message": "z" * (MAX_MESSAGE_CHARS + 1)})
        assert visitor.next() == ("bot", {"text": TOO_LONG})
        assert stored_events(stack, session_id) == 0
    finally:
        visitor.close()


def test_commands_a_visitor_types_are_answered_and_stay_out_of_the_logs(stack: Stack) -> None:
    visitor = Visitor(stack)
    for typed in ("/ana_ruiz_at_secret-corp", '/greet{"email": "ana.ruiz@secret-corp.example"}', "/" + "x" * 300):
        assert visitor.texts(typed), typed
    log = (stack.group.log_dir / "rasa.log").read_text(errors="replace")
    assert "secret-corp" not in log and "x" * 300 not in log
