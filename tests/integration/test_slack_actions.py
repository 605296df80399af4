"""The alert's buttons: /slack/actions on the running web app, signed with
slack-sdk's SignatureVerifier. Bad signatures, stale timestamps and replays
change nothing."""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple
from urllib.parse import urlencode

import requests
from slack_sdk.signature import SignatureVerifier

from bot.clock import SystemClock
from bot.db import make_engine, make_session_factory
from bot.leads.store import LeadStore
from bot.routing.rules import RoutingLead
from bot.scheduling.scheduler import LeadBrief, OfferedSlot
from bot.services import build_services
from bot.settings import load_settings
from calendar_booking.port import Attendee
from tests.support.leads import RAJ, complete_conversation, with_email
from tests.support.slack_stub import SlackStub
from tests.support.stack import API_AUTH, SLACK_SIGNING_SECRET, ApiServer, web_app


def signed(body: str, secret: str = SLACK_SIGNING_SECRET, timestamp: int | None = None) -> Dict[str, str]:
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": str(signature),
        "Content-Type": "application/x-www-form-urlencoded",
    }


def action_body(action_id: str, lead_id: int, nonce: str = "", reason: str | None = None) -> str:
    """A button press, or (with ``reason``) a pick in the "Not a fit…" menu."""
    action: Dict[str, Any] = {"action_id": action_id}
    if reason is None:
        action["value"] = f"{lead_id}:"
    else:
        action["selected_option"] = {"value": f"{lead_id}::{reason}"}
    payload = {
        "type": "block_actions",
        "user": {"id": "U0LENA", "username": "lena"},
        "actions": [action],
        "container": {"channel_id": "DU0LENA", "message_ts": "1.0001" + nonce},
        "message": {"blocks": []},
    }
    return urlencode({"payload": json.dumps(payload)})


@contextmanager
def web_app_with_slack(workdir: Path) -> Iterator[Tuple[ApiServer, SlackStub]]:
    """The web app with a bot token, its Slack calls going to a local stub."""
    stub = SlackStub()
    try:
        with web_app(workdir, {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": stub.base_url}) as server:
            yield server, stub
    finally:
        stub.close()


def block_action(action_id: str, value: str, user: str, ts: str, blocks: Any = None) -> Dict[str, Any]:
    """A block_actions payload as Slack sends it for a button in the DM ``D<user>``."""
    return {
        "type": "block_actions", "user": {"id": user}, "message": {"blocks": [] if blocks is None else blocks},
        "actions": [{"action_id": action_id, "value": value}], "container": {"channel_id": f"D{user}", "message_ts": ts},
    }  # fmt: skip


def press(server: ApiServer, payload: Dict[str, Any]) -> requests.Response:
    """Posts ``payload`` to /slack/actions, signed as Slack signs it."""
    body = urlencode({"payload": json.dumps(payload)})
    return requests.post(f"{server.base_url}/slack/actions", data=body, headers=signed(body), timeout=10)


def test_buttons_are_signed_and_not_a_fit_is_kept_with_its_actor(api_server: ApiServer) -> None:
    store = LeadStore(make_session_factory(make_engine(api_server.database_url)), SystemClock())
    complete_conversation(store, "slack-1", with_email(RAJ, "slack.lead@fernhill.example"))
    (lead,) = requests.get(
        f"{api_server.base_url}/api/leads",
        params={"email": "slack.lead@fernhill.example"},
        headers=API_AUTH,
        timeout=10,
    ).json()["items"]
    url = f"{api_server.base_url}/slack/actions"

    no_reason = action_body("not_a_fit", lead["id"], nonce="0")
    assert requests.post(url, data=no_reason, headers=signed(no_reason), timeout=10).status_code == 400
    body = action_body("not_a_fit", lead["id"], reason="no_budget")
    assert requests.post(url, data=body, headers=signed(body, secret="wrong"), timeout=10).status_code == 401
    stale = signed(body, timestamp=int(time.time()) - 6 * 60)
    assert requests.post(url, data=body, headers=stale, timeout=10).status_code == 401
    unsigned = {"Content-Type": "application/x-www-form-urlencoded"}
    assert requests.post(url, data=body, headers=unsigned, timeout=10).status_code == 401
    status = requests.get(f"{api_server.base_url}/api/leads/{lead['id']}", headers=API_AUTH, timeout=10).json()[
        "status"
    ]
    assert status == lead["status"]  # nothing changed

    headers = signed(body)
    done = requests.post(url, data=body, headers=headers, timeout=10)
    assert done.status_code == 200 and done.json() == {"ok": True, "done": "not_a_fit"}
    assert requests.post(url, data=body, headers=headers, timeout=10).status_code == 401  # a replay
    detail = requests.get(f"{api_server.base_url}/api/leads/{lead['id']}", headers=API_AUTH, timeout=10).json()
    assert detail["status"] == "disqualified"
    last = detail["status_history"][-1]
    assert (last["cause"], last["actor"], last["note"]) == ("ae_override", "slack:U0LENA", "not_a_fit: no_budget")

    accept = action_body("accept", lead["id"], nonce="2")
    assert requests.post(url, data=accept, headers=signed(accept), timeout=10).json() == {"ok": True, "done": "accept"}
    detail = requests.get(f"{api_server.base_url}/api/leads/{lead['id']}", headers=API_AUTH, timeout=10).json()
    assert detail["accepted_by"] == "slack:U0LENA" and detail["accepted_at"]
    nonsense = urlencode({"payload": "{not json"})
    assert requests.post(url, data=nonsense, headers=signed(nonsense), timeout=10).status_code == 400
    unknown = action_body("delete_everything", lead["id"], nonce="3")
    assert requests.post(url, data=unknown, headers=signed(unknown), timeout=10).status_code == 400


def test_a_button_updates_the_message_through_slack(tmp_path: Path) -> None:
    with web_app_with_slack(tmp_path) as (server, stub):
        store = LeadStore(make_session_factory(make_engine(server.database_url)), SystemClock())
        complete_conversation(store, "slack-2", with_email(RAJ, "update.me@fernhill.example"))
        message = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Raj*"}},
                   {"type": "actions", "elements": [{"type": "button", "action_id": "accept"}]}]  # fmt: skip
        payload = block_action("accept", f"{store.lead_id_for('slack-2')}:", "U0DANA", "1700000000.000100", message)
        assert press(server, payload).json() == {"ok": True, "done": "accept"}
        payload["user"] = {"id": "U0OLIVER"}  # a teammate presses Accept in the team channel a moment later
        press(server, payload)
    first, second = [a for m, a in stub.calls if m == "chat.update"]
    blocks = first["blocks"] if isinstance(first["blocks"], list) else json.loads(first["blocks"])
    assert (first["channel"], first["ts"]) == ("DU0DANA", "1700000000.000100")
    assert [b["type"] for b in blocks] == ["section", "context"]  # the buttons are gone
    assert blocks[-1]["elements"][0]["text"] == ":white_check_mark: Accepted by <@U0DANA>"
    assert second["text"] == ":information_source: Already accepted by <@U0DANA>"


def test_an_action_slower_than_slacks_three_seconds_is_answered_then_finished(tmp_path: Path) -> None:
    with web_app_with_slack(tmp_path) as (server, stub):
        stub.delays["chat.update"] = 4.0  # Slack itself slow to take the update
        store = LeadStore(make_session_factory(make_engine(server.database_url)), SystemClock())
        complete_conversation(store, "slack-3", with_email(RAJ, "slow.slack@fernhill.example"))
        lead_id = store.lead_id_for("slack-3")
        payload = block_action("accept", f"{lead_id}:", "U0DANA", "1700000000.000200", "not a list")
        started = time.monotonic()
        answer = press(server, payload)
        assert answer.json() == {"ok": True, "done": "accept", "finishing": True}
        assert time.monotonic() - started < 4.0  # answered before the slow update returned
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not [m for m, _ in stub.calls if m == "chat.update"]:
            time.sleep(0.1)
        [update] = [a for m, a in stub.calls if m == "chat.update"]
        assert update["text"] == ":white_check_mark: Accepted by <@U0DANA>"
        assert store.accept(lead_id, "ae:someone-else") == "slack:U0DANA"  # type: ignore[arg-type]  # it was applied


def test_reassign_moves_the_meeting_and_both_aes_hear_of_it_in_slack(tmp_path: Path) -> None:
    with web_app_with_slack(tmp_path) as (server, stub):
        services = build_services(load_settings({"DATABASE_URL": server.database_url}))
        complete_conversation(services.leads, "slack-4", with_email(RAJ, "move.me@fernhill.example"))
        lead_id = services.leads.lead_id_for("slack-4")
        decision, free = services.scheduler.route(RoutingLead({"region": "EMEA", "company_size": 900}))
        services.routing_log.record_decision("slack-4", decision)
        shared = sorted({s.start for s in free["lena"]} & {s.start for s in free["oliver"]})[0]
        pick = OfferedSlot(1, "lena", shared, shared + timedelta(minutes=30))
        brief = LeadBrief("Raj Patel", "move.me@fernhill.example", "Fernhill", 75, "cql", (), "", "")
        booking = services.scheduler.book(
            decision, pick, Attendee("move.me@fernhill.example"), brief, "slack-4", "Europe/London"
        )
        answer = press(server, block_action("reassign", f"{lead_id}:{booking.id}", "U0LENA", "1700000000.000300"))
        assert answer.json() == {"ok": True, "done": "reassign"}
        lead = requests.get(f"{server.base_url}/api/leads/{lead_id}", headers=API_AUTH, timeout=10).json()
        assert (lead["meeting"]["ae"], lead["meeting"]["start"]) == ("oliver", shared.isoformat())
        assert services.bookings.get(booking.id).status == "cancelled"  # type: ignore[union-attr]
        deadline = time.monotonic() + 10  # the worker tells both AEs
        while time.monotonic() < deadline and len(stub.posts()) < 5:
            time.sleep(0.1)
    [update] = [a for m, a in stub.calls if m == "chat.update"]
    assert update["text"] == ":arrows_counterclockwise: Reassigned to Oliver Grant by <@U0LENA>"
    headers = [json.dumps(post["blocks"]) for post in stub.posts()]
    assert sum("Meeting reassigned to you: Fernhill" in h for h in headers) >= 1
    assert sum("Meeting cancelled: Fernhill" in h for h in headers) >= 1
    dm_channels = {post["channel"] for post in stub.posts() if "Meeting cancelled" in json.dumps(post["blocks"])}
    assert "DU0LENA" in dm_channels  # Lena hears in her DM that it left her calendar
