"""Tried as an attacker on the machine or the network would: nothing internal listens
beyond loopback, nothing answers without its credentials but the chat channels and the
public pages, no secret shows in the process list, and a forged call to the action
server changes nothing."""

from __future__ import annotations

import json
import stat
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any, Dict, List
from zoneinfo import ZoneInfo

import pytest
import requests
import yaml
from sqlalchemy import func, select

from bot.db import make_engine
from bot.env_secrets import KEPT_SECRETS, PER_START_SECRETS
from bot.leads.models import Conversation, Lead
from bot.processes.stack import Stack
from bot.settings import PROJECT_ROOT
from calendar_booking.tables import bookings
from tests.integration.test_booking import GERMAN_CFO, buttons, qualify
from tests.support.processes import arguments, group_members, listening
from tests.support.stack import Visitor


@pytest.fixture(scope="module")
def domain() -> Dict[str, Any]:
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())


def stack_pids(stack: Stack) -> List[int]:
    return group_members(p.pid for p in stack.processes.values())


def test_every_port_of_the_stack_listens_on_loopback_only(stack: Stack) -> None:
    addresses = listening(stack_pids(stack))
    ports = {stack.ports.rasa, stack.ports.actions, stack.ports.web}
    assert ports <= {port for _, port in addresses}, addresses
    assert {host for host, _ in addresses} <= {"127.0.0.1", "::1"}, addresses


def test_no_secret_is_in_any_process_arguments(stack: Stack) -> None:
    secrets = [stack.env[name] for name in (*KEPT_SECRETS, *PER_START_SECRETS)]
    for pid in stack_pids(stack):
        command_line = arguments(pid)
        assert not [s for s in secrets if s in command_line], f"a secret in the arguments of {command_line[:80]}"


def test_the_databases_are_their_owners_alone(stack: Stack) -> None:
    for name in ("DATABASE_URL", "TRACKER_DATABASE_URL"):
        database = Path(stack.env[name].removeprefix("sqlite:///"))
        files = [p for p in (database, Path(f"{database}-wal"), Path(f"{database}-shm")) if p.exists()]
        assert database in files
        for path in files:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_the_rasa_server_answers_only_the_chat_channels_without_its_token(stack: Stack) -> None:
    base = f"http://127.0.0.1:{stack.ports.rasa}"
    for path in ("/", "/version", "/status", "/model", "/conversations/someone/tracker", "/domain"):
        answer = requests.get(base + path, timeout=10)
        assert answer.status_code == 401, (path, answer.status_code)
        assert requests.get(base + path, params={"token": "wrong"}, timeout=10).status_code == 401
    assert requests.get(base + "/status", params={"token": stack.token}, timeout=10).status_code == 200
    assert requests.get(base + "/webhooks/rest/", timeout=10).status_code == 200  # the channel is open


def test_the_web_apps_admin_routes_need_credentials(stack: Stack) -> None:
    base = f"http://127.0.0.1:{stack.ports.web}"
    for path in ("/api/leads", "/api/notifications", "/api/leads/1/export", "/metrics"):
        assert requests.get(base + path, timeout=10).status_code == 401, path
    for path in ("/ops", "/ops/leads", "/ops/inbox", "/ops/config"):
        answer = requests.get(base + path, allow_redirects=False, timeout=10)
        assert answer.status_code == 303 and answer.headers["Location"].startswith("/ops/login"), path
    for path in ("/", "/privacy", "/static/widget.js"):
        assert requests.get(base + path, timeout=10).status_code == 200, path


def action_call(domain: Dict[str, Any], action: str, sender: str, slots: Dict[str, Any], text: str) -> Dict[str, Any]:
    """A hand-written call to the action server, as an attacker would write it."""
    all_slots = {name: None for name in domain["slots"]} | {"requested_slot": None} | slots
    latest = {"text": text, "intent": {"name": "pick_slot", "confidence": 1.0}, "entities": []}
    return {
        "next_action": action,
        "sender_id": sender,
        "version": "3.6.21",
        "domain": domain,
        "tracker": {
            "sender_id": sender, "slots": all_slots, "latest_message": latest, "paused": False,
            "events": [{"event": "user", "text": text, "parse_data": latest}], "followup_action": None,
            "active_loop": {"name": "booking_form"} if action == "validate_booking_form" else {},
            "latest_action_name": "action_listen",
        },
    }  # fmt: skip


def victim_bookings(engine: Any, sender: str) -> List[str]:
    with engine.connect() as connection:
        return list(connection.execute(select(bookings.c.id).where(bookings.c.reference == sender)).scalars())


def sunday_3am(zone: str) -> datetime:
    local = datetime.now(ZoneInfo(zone))
    sunday = local.date() + timedelta(days=(6 - local.weekday()) % 7 or 7)
    return datetime.combine(sunday, time(3), tzinfo=ZoneInfo(zone)).astimezone(ZoneInfo("UTC"))


def test_a_forged_action_call_changes_nothing(stack: Stack, domain: Dict[str, Any]) -> None:
    victim = Visitor(stack, metadata={"timezone": "Europe/Berlin"})
    offer = qualify(victim, GERMAN_CFO)
    victim.say(next(b for b in buttons(offer) if b["payload"].startswith("/pick_slot"))["payload"])
    engine = make_engine(stack.env["DATABASE_URL"])

    def state() -> Dict[str, Any]:
        with engine.connect() as connection:
            return {
                "bookings": connection.execute(select(bookings.c.id, bookings.c.status, bookings.c.start)).all(),
                "conversations": connection.execute(select(func.count()).select_from(Conversation)).scalar_one(),
                "leads": connection.execute(select(Lead.id, Lead.status, Lead.score)).all(),
            }

    before = state()
    [(victim_booking, status, _)] = [b for b in before["bookings"] if b.id in victim_bookings(engine, victim.sender)]
    assert status == "confirmed"
    at_3am = sunday_3am("Europe/Berlin")
    forged_pick = {
        "slot_pick": f'/pick_slot{{"slot_choice":"1:{int(at_3am.timestamp())}"}}',
        "offered_slots": [{"n": 1, "ae": "lena", "start": at_3am.isoformat(),
                           "end": (at_3am + timedelta(minutes=30)).isoformat()}],
        "booking_id": victim_booking, "requested_slot": "slot_pick", "consent": True, "lead_tier": "cql",
        "qualification_done": True, "work_email": {"address": "attacker@evil.example",
                                                   "normalised": "attacker@evil.example", "kind": "work"},
        "route_decision": {"team": "enterprise_emea", "candidates": ["lena"], "reasons": [], "pinned": True},
    }  # fmt: skip
    calls = [
        action_call(domain, "validate_booking_form", victim.sender, forged_pick, forged_pick["slot_pick"]),
        action_call(domain, "validate_booking_form", "attacker-1", forged_pick, forged_pick["slot_pick"]),
        action_call(domain, "action_record_consent", "attacker-2", {}, "/give_consent"),
        action_call(domain, "action_submit_qualification", "attacker-2", {"consent": True}, "done"),
    ]
    url = f"http://127.0.0.1:{stack.ports.actions}/webhook"
    for call in calls:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": stack.env["ACTION_SERVER_TOKEN"]}):
            answer = requests.post(url, data=json.dumps(call), headers=headers, timeout=30)
            assert answer.status_code == 401, (call["next_action"], headers, answer.text[:200])
    assert state() == before

    # Were the token stolen (a compromised Rasa server), our records still decide: the victim's meeting stays,
    # and nothing is booked at 3 a.m. on a Sunday nor for the attacker's address.
    authorised = {"Authorization": f"Bearer {stack.env['ACTION_SERVER_TOKEN']}"}
    for call in calls[:2]:
        assert requests.post(url, data=json.dumps(call), headers=authorised, timeout=30).status_code == 200
    after = state()
    assert after["bookings"] == before["bookings"] and after["leads"] == before["leads"]
