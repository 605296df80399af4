"""Writes conversations into a tracker database as Rasa 3.6's SQL tracker store does
(its ``events`` table and its events' JSON), without Rasa: the product's tests and
benchmarks run in an environment that does not hold it."""

from __future__ import annotations

import json
from typing import Any, Dict, Mapping, Sequence

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine, insert

START = 1_763_900_000  # a fixed epoch second, so transcripts sort the same every run
Event = Dict[str, Any]

#: Rasa 3.6's ``events`` table (rasa/core/tracker_store.py, SQLTrackerStore.SQLEvent).
EVENTS = Table(
    "events", MetaData(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)  # fmt: skip


def user_uttered(text: str, timestamp: float, intent: str | None = None) -> Event:
    parse = {"intent": {"name": intent, "confidence": 1.0} if intent else {}, "entities": [], "text": text}
    return {"event": "user", "timestamp": timestamp, "metadata": {}, "text": text, "parse_data": parse,
            "input_channel": "rest", "message_id": None}  # fmt: skip


def bot_uttered(text: str, timestamp: float) -> Event:
    return {"event": "bot", "timestamp": timestamp, "metadata": {}, "text": text, "data": {}}


def slot_set(name: str, value: Any, timestamp: float) -> Event:
    return {"event": "slot", "timestamp": timestamp, "name": name, "value": value}


def action_executed(name: str, timestamp: float) -> Event:
    return {"event": "action", "timestamp": timestamp, "name": name, "policy": None, "confidence": None}


def session_started(timestamp: float) -> Event:
    return {"event": "session_started", "timestamp": timestamp}


def write_events(database_url: str, sender: str, events: Sequence[Event]) -> None:
    """Appends ``events`` to the sender's tracker, as the Rasa server saves a turn."""
    engine = create_engine(database_url)
    EVENTS.create(engine, checkfirst=True)
    rows = [
        {"sender_id": sender, "type_name": event["event"], "timestamp": event.get("timestamp"),
         "intent_name": ((event.get("parse_data") or {}).get("intent") or {}).get("name"),
         "action_name": event.get("name") if event["event"] == "action" else None, "data": json.dumps(event)}
        for event in events
    ]  # fmt: skip
    with engine.begin() as connection:
        if rows:
            connection.execute(insert(EVENTS), rows)
    engine.dispose()


def write_conversations(
    database_url: str, conversations: Mapping[str, Sequence[str]], consent: bool | None = True, start: float = START
) -> None:
    """For each sender: each line as a visitor message, the consent slot
    (unless ``consent`` is None), and a bot reply, from ``start`` on."""
    for sender, lines in conversations.items():
        events = []
        for number, line in enumerate(lines):
            events.append(user_uttered(line, start + number * 10))
            if consent is not None:
                events.append(slot_set("consent", consent, start + number * 10))
            events.append(bot_uttered(f"reply {number}", start + number * 10 + 1))
        write_events(database_url, sender, events)
