"""Erasing a booked, alerted lead leaves no copy of the visitor anywhere we wrote it: not in
a booking, a calendar event, a meeting request, the outbox, the tracker, a Slack message,
nor in the database files' freed pages."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import List

import requests
from sqlalchemy import select

from bot.db import make_engine
from bot.notifications.erasure import ERASED_TEXT, ERASURE_KINDS
from bot.notifications.outbox import notifications
from bot.processes.stack import Stack
from tests.integration.test_booking import buttons, qualify, text
from tests.support.slack_stub import SlackStub
from tests.support.stack import API_AUTH, Visitor


def unique_name() -> str:
    letters = "".join("bcdfghjklmnpqrstvwxz"[int(c, 16) % 20] for c in uuid.uuid4().hex[:8])
    return f"Zora {letters.capitalize()}"


def database_files(stack: Stack) -> List[Path]:
    found = []
    for name in ("DATABASE_URL", "TRACKER_DATABASE_URL"):
        database = Path(stack.env[name].removeprefix("sqlite:///"))
        found += [p for p in (database, Path(f"{database}-wal"), Path(f"{database}-shm")) if p.exists()]
    return found


def holding(stack: Stack, needle: str) -> List[str]:
    """The database files whose bytes contain ``needle`` (as UTF-8, or JSON-escaped)."""
    needles = {needle.encode(), json.dumps(needle).encode()[1:-1], needle.lower().encode()}
    return [path.name for path in database_files(stack) if any(n in path.read_bytes() for n in needles)]


def test_an_erased_lead_leaves_no_byte_of_the_visitor_behind(stack: Stack, slack_stub: SlackStub) -> None:
    name = unique_name()
    email = f"{name.split()[1].lower()}@alpenwerk-gruppe.de"
    visitor = Visitor(stack, metadata={"timezone": "Europe/Berlin"})
    answers = ["we lose inbound leads outside office hours", name, email, "Alpenwerk Gruppe", "CFO",
               "3,500 employees", "next 8 weeks", "budget is set aside", "Germany"]  # fmt: skip
    offer = qualify(visitor, answers)
    booked = visitor.say(next(b for b in buttons(offer) if b["payload"].startswith("/pick_slot"))["payload"])
    assert "You're booked!" in text(booked)
    base = f"http://127.0.0.1:{stack.ports.web}/api/leads"
    [lead] = requests.get(base, params={"email": email}, headers=API_AUTH, timeout=10).json()["items"]
    engine = make_engine(stack.env["DATABASE_URL"])

    def rows(kinds: frozenset[str] | None = None) -> list:  # type: ignore[type-arg]
        query = select(notifications).where(notifications.c.lead_id == lead["id"])
        with engine.connect() as connection:
            found = connection.execute(query).all()
        return [r for r in found if kinds is None or r.kind in kinds]

    deadline = time.monotonic() + 20  # the AE's and the team's alerts reach Slack
    while not (rows() and all(r.status == "delivered" for r in rows())) and time.monotonic() < deadline:
        time.sleep(0.2)
    posted = {(r.delivery["channel"], r.delivery["ts"]) for r in rows()}
    assert len(posted) == 2 and any(name in json.dumps(p) for p in slack_stub.posts())
    assert holding(stack, email) and holding(stack, name)  # the test can see what it looks for

    erased = requests.delete(f"{base}/{lead['id']}", headers=API_AUTH, timeout=30)
    assert erased.status_code == 200, erased.text
    deadline = time.monotonic() + 20  # the calendar event and both Slack messages are scrubbed through the outbox
    while time.monotonic() < deadline:
        erasures = rows(ERASURE_KINDS)
        if len(erasures) == 3 and all(r.status == "delivered" for r in erasures):
            break
        time.sleep(0.2)
    assert sorted(r.kind for r in rows(ERASURE_KINDS)) == ["calendar_scrub", "slack_redact", "slack_redact"]
    assert all(r.status == "delivered" for r in rows(ERASURE_KINDS))
    updates = {(args["channel"], args["ts"]): args for method, args in slack_stub.calls if method == "chat.update"}
    assert posted <= set(updates) and all(updates[p]["text"] == ERASED_TEXT for p in posted)

    assert holding(stack, email) == [] and holding(stack, name) == []
    assert requests.get(f"{base}/{lead['id']}", headers=API_AUTH, timeout=10).status_code == 404
