"""The alert's buttons: /slack/actions on the running web app, signed with
slack-sdk's SignatureVerifier. Bad signatures, stale timestamps and replays
change nothing."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Dict
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
from tests.integration.conftest import API_AUTH, SLACK_SIGNING_SECRET, ApiServer, web_app
from tests.support.leads import RAJ, complete_conversation, with_email
from tests.support.slack_stub import SlackStub


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
    stub = SlackStub()
    try:
        env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": stub.base_url}
        with web_app(tmp_path, env) as server:
            store = LeadStore(make_session_factory(make_engine(server.database_url)), SystemClock())
            complete_conversation(store, "slack-2", with_email(RAJ, "update.me@fernhill.example"))
            (lead,) = requests.get(
                f"{server.base_url}/api/leads",
                params={"email": "update.me@fernhill.example"},
                headers=API_AUTH,
                timeout=10,
            ).json()["items"]
            message = {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*Raj*"}},
                                  {"type": "actions", "elements": [{"type": "button", "action_id": "accept"}]}]}  # fmt: skip
            payload = {
                "type": "block_actions", "user": {"id": "U0DANA"}, "message": message,
                "actions": [{"action_id": "accept", "value": f"{lead['id']}:"}],
                "container": {"channel_id": "DU0DANA", "message_ts": "1700000000.000100"},
            }  # fmt: skip
            body = urlencode({"payload": json.dumps(payload)})
            answer = requests.post(f"{server.base_url}/slack/actions", data=body, headers=signed(body), timeout=10)
            assert answer.json() == {"ok": True, "done": "accept"}
            payload["user"] = {"id": "U0OLIVER"}  # a teammate presses Accept in the team channel a moment later
            body = urlencode({"payload": json.dumps(payload)})
            requests.post(f"{server.base_url}/slack/actions", data=body, headers=signed(body), timeout=10)
        first, second = [a for m, a in stub.calls if m == "chat.update"]
        blocks = first["blocks"] if isinstance(first["blocks"], list) else json.loads(first["blocks"])
        assert (first["channel"], first["ts"]) == ("DU0DANA", "1700000000.000100")
        assert [b["type"] for b in blocks] == ["section", "context"]  # the buttons are gone
        assert blocks[-1]["elements"][0]["text"] == ":white_check_mark: Accepted by <@U0DANA>"
        assert second["text"] == ":information_source: Already accepted by <@U0DANA>"
    finally:
        stub.close()


def test_an_action_slower_than_slacks_three_seconds_is_answered_then_finished(tmp_path: Path) -> None:
    stub = SlackStub()
    stub.delays["chat.update"] = 4.0  # Slack itself slow to take the update
    try:
        env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": stub.base_url}
        with web_app(tmp_path, env) as server:
            store = LeadStore(make_session_factory(make_engine(server.database_url)), SystemClock())
            complete_conversation(store, "slack-3", with_email(RAJ, "slow.slack@fernhill.example"))
            lead_id = store.lead_id_for("slack-3")
            payload = {
                "type": "block_actions", "user": {"id": "U0DANA"}, "message": {"blocks": "not a list"},
                "actions": [{"action_id": "accept", "value": f"{lead_id}:"}],
                "container": {"channel_id": "DU0DANA", "message_ts": "1700000000.000200"},
            }  # fmt: skip
            body = urlencode({"payload": json.dumps(payload)})
            started = time.monotonic()
            answer = requests.post(f"{server.base_url}/slack/actions", data=body, headers=signed(body), timeout=10)
            answered_in = time.monotonic() - started
            assert answer.json() == {"ok": True, "done": "accept", "finishing": True}
            assert answered_in < 4.0  # answered before the slow update returned
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not [m for m, _ in stub.calls if m == "chat.update"]:
                time.sleep(0.1)
            [update] = [a for m, a in stub.calls if m == "chat.update"]
            assert update["text"] == ":white_check_mark: Accepted by <@U0DANA>"
            assert store.accept(lead_id, "ae:someone-else") == "slack:U0DANA"  # the accept was applied
    finally:
        stub.close()


def test_reassign_moves_the_meeting_and_both_aes_hear_of_it_in_slack(tmp_path: Path) -> None:
    stub = SlackStub()
    try:
        env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": stub.base_url}
        with web_app(tmp_path, env) as server:
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
            payload = {
                "type": "block_actions", "user": {"id": "U0LENA"}, "message": {"blocks": []},
                "actions": [{"action_id": "reassign", "value": f"{lead_id}:{booking.id}"}],
                "container": {"channel_id": "DU0LENA", "message_ts": "1700000000.000300"},
            }  # fmt: skip
            body = urlencode({"payload": json.dumps(payload)})
            answer = requests.post(f"{server.base_url}/slack/actions", data=body, headers=signed(body), timeout=10)
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
    finally:
        stub.close()
