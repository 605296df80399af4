"""Slack interactivity: the alert's buttons post here (``POST /slack/actions``).

Every request is checked with slack-sdk's ``SignatureVerifier`` and the
signing secret from ``SLACK_SIGNING_SECRET``: a wrong signature, a timestamp
older than five minutes, or a request already seen (a replay) gets 401 and
changes nothing. Then:

- **Accept**: the AE takes the lead (recorded on it; the first to accept
  keeps it, so a second AE pressing it in the team channel is told who has it).
- **Reassign**: the meeting moves to the teammate furthest below their fair
  share who is free then (the calendar event moves; both AEs are told
  through the outbox).
- **Not a fit** (a menu of reasons): the lead's tier becomes
  ``disqualified``, kept in its status history as an AE override by that
  AE with the reason; the message says so.

The original message is updated with ``chat.update``. Slack wants an
answer within three seconds: an action still running then (a reassignment
waiting on a slow calendar) is answered at once and finishes afterwards,
updating the message when done.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, List

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import json as json_response
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier

from bot.notifications.messages import NOT_A_FIT_REASONS
from bot.routing.team import TeamConfig
from calendar_booking.errors import BookingError, BookingNotFound

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64_000
#: Slack shows an error when a button's request takes over 3 seconds.
ACK_SECONDS = 2.5
REPLAY_WINDOW_SECONDS = 300
ACTIONS = frozenset({"accept", "reassign", "not_a_fit"})
MAX_LEAD_ID = 2**31 - 1  # the widest id every database stores
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_LEAD_ID = re.compile(r"[0-9]{1,10}")
#: A button's booking part: a booking id, or empty when the alert has no meeting.
_BOOKING_ID = re.compile(r"[0-9a-f]{0,32}")


class ReplayGuard:
    """Remembers the signatures seen in the last five minutes (one web app;
    with several replicas Slack's own retries carry a new timestamp anyway)."""

    def __init__(self, window: float = REPLAY_WINDOW_SECONDS, clock: Any = time.time) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._window = window
        self._clock = clock

    def first_time(self, signature: str) -> bool:
        now = self._clock()
        while self._seen and next(iter(self._seen.values())) < now - self._window:
            self._seen.popitem(last=False)
        key = hashlib.sha256(signature.encode()).hexdigest()
        if key in self._seen:
            return False
        self._seen[key] = now
        return True


def _denied(reason: str) -> HTTPResponse:
    return json_response({"error": "unauthorized", "reason": reason}, status=401)


def _updated_blocks(blocks: List[Dict[str, Any]], note: str) -> List[Dict[str, Any]]:
    """The message without its buttons, with a line saying what was done."""
    kept = [b for b in blocks if b.get("type") != "actions"]
    return kept + [{"type": "context", "elements": [{"type": "mrkdwn", "text": note}]}]


async def _reassign(services: Any, booking_id: str, who: str) -> str:
    try:
        moved = await asyncio.to_thread(services.scheduler.reassign, booking_id)
    except BookingNotFound:
        return "This meeting is no longer booked."
    except BookingError:
        logger.exception("reassigning booking %s failed", booking_id[:40])
        return "The calendar didn't answer; the meeting is unchanged. Try again in a minute."
    if moved is None:
        return "Nobody else on the team is free at that time; the meeting is unchanged."
    ae = services.team.by_key.get(moved.host_key)
    return f":arrows_counterclockwise: Reassigned to {ae.name if ae else moved.host_key} by {who}"


def _actor(team: TeamConfig, user: Dict[str, Any]) -> str:
    """Who pressed: ``ae:<key>`` when the Slack user is an AE in ops/team.yml, else ``slack:<id>``."""
    user_id = str(user.get("id") or "")
    for ae in team.aes:
        if user_id and ae.slack_user_id == user_id:
            return f"ae:{ae.key}"
    return f"slack:{(user_id or str(user.get('username') or 'unknown'))[:40]}"


def _holder_name(team: TeamConfig, holder: str) -> str:
    kind, _, key = holder.partition(":")
    ae = team.by_key.get(key) if kind == "ae" else None
    return ae.name if ae else (f"<@{key}>" if kind == "slack" else holder)


@dataclass(frozen=True)
class Press:
    """One button press or menu pick, parsed."""

    action_id: str
    lead_id: int
    booking_id: str
    reason: str
    user: Dict[str, Any]
    container: Dict[str, Any]
    blocks: List[Dict[str, Any]]


async def _act(services: Any, press: Press, actor: str, who: str) -> str:
    """Applies the action; returns the line the message gets."""
    if press.action_id == "not_a_fit":
        why = f"not_a_fit: {press.reason}"
        changed = await asyncio.to_thread(services.leads.override_status, press.lead_id, "disqualified", actor, why)
        if not changed:
            return "This lead is no longer on record."
        return f":no_entry: Marked not a fit ({NOT_A_FIT_REASONS[press.reason].lower()}) by {who}"
    if press.action_id == "reassign":
        booking = await asyncio.to_thread(services.bookings.get, press.booking_id)
        owner = await asyncio.to_thread(services.leads.lead_id_for, booking.reference) if booking else None
        if owner != press.lead_id:  # a button's booking is always its lead's: anything else is not ours
            return "This meeting is no longer booked."
        return await _reassign(services, press.booking_id, who)
    holder = await asyncio.to_thread(services.leads.accept, press.lead_id, actor)
    if holder is None:
        return "This lead is no longer on record."
    if holder == actor:
        return f":white_check_mark: Accepted by {who}"
    return f":information_source: Already accepted by {_holder_name(services.team, holder)}"


async def _apply(app: Sanic, press: Press) -> None:
    """Acts, then updates the original message (buttons gone, who did what)."""
    services = app.ctx.services
    who = f"<@{str(press.user.get('id', ''))[:20]}>" if press.user.get("id") else "someone"
    actor = _actor(services.team, press.user)
    note = await _act(services, press, actor, who)
    logger.info("slack action %s on lead %d by %s", press.action_id, press.lead_id, actor)
    client = getattr(app.ctx.notifier, "client", None)
    channel, ts = press.container.get("channel_id"), press.container.get("message_ts")
    if client is None or not channel or not ts:
        return
    try:
        await asyncio.to_thread(
            client.chat_update, channel=channel, ts=ts, blocks=_updated_blocks(press.blocks, note), text=note
        )
    except SlackApiError:
        logger.warning("could not update the Slack message of lead %d", press.lead_id, exc_info=True)


def _dict(value: Any) -> Dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> List[Any]:
    return value if isinstance(value, list) else []


def _log_failure(task: asyncio.Future[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("a Slack action failed", exc_info=task.exception())


def setup_slack_actions(app: Sanic) -> None:
    app.ctx.slack_replays = ReplayGuard()

    @app.post("/slack/actions")
    async def slack_actions(request: Request) -> HTTPResponse:
        secret = app.ctx.settings.slack_signing_secret
        if not secret:
            # No Slack app here: nothing at this address takes requests (and nothing has failed).
            return json_response({"error": "not_configured", "reason": "SLACK_SIGNING_SECRET is not set"}, status=404)
        body = request.body or b""
        if len(body) > MAX_BODY_BYTES:
            return json_response({"error": "too_large", "reason": "body over 64 KB"}, status=413)
        timestamp = request.headers.get("x-slack-request-timestamp") or ""
        signature = request.headers.get("x-slack-signature") or ""
        # slack-sdk reads the timestamp with int(): anything but a few digits is refused here first.
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12) or not _SIGNATURE.fullmatch(
            signature
        ):
            return _denied("missing or malformed Slack signature headers")
        if not SignatureVerifier(secret).is_valid(body=body, timestamp=timestamp, signature=signature):
            return _denied("bad or expired Slack signature")
        if not app.ctx.slack_replays.first_time(str(signature)):
            return _denied("request already handled")
        try:
            payload = json.loads((request.form.get("payload") if request.form else None) or "")
            action = payload["actions"][0]
            action_id = str(action["action_id"])
            value = str(action.get("value") or (action.get("selected_option") or {}).get("value") or "")
            user = payload.get("user") or {}
            lead_part, _, rest = value.partition(":")
            booking_id, _, reason = rest.partition(":")
            if (
                not _LEAD_ID.fullmatch(lead_part)
                or int(lead_part) > MAX_LEAD_ID
                or not _BOOKING_ID.fullmatch(booking_id)
            ):
                raise ValueError("not one of our buttons' values")
            lead_id = int(lead_part)
        except (ValueError, KeyError, IndexError, TypeError, AttributeError):
            return json_response({"error": "bad_request", "reason": "not a block_actions payload"}, status=400)
        if action_id not in ACTIONS:
            return json_response({"error": "bad_request", "reason": f"unknown action {action_id[:40]}"}, status=400)
        if action_id == "not_a_fit" and reason not in NOT_A_FIT_REASONS:
            reason_needed = {"error": "bad_request", "reason": "not a fit needs one of the listed reasons"}
            return json_response(reason_needed, status=400)
        message = payload.get("message") if isinstance(payload.get("message"), dict) else {}
        press = Press(action_id, lead_id, booking_id, reason, _dict(user), _dict(payload.get("container")),
                      [b for b in _list(message.get("blocks")) if isinstance(b, dict)])  # fmt: skip
        # Slack wants an answer within 3 seconds; a slow calendar finishes the reassignment afterwards.
        task = asyncio.ensure_future(_apply(app, press))
        task.add_done_callback(_log_failure)
        try:
            await asyncio.wait_for(asyncio.shield(task), ACK_SECONDS)
        except TimeoutError:
            return json_response({"ok": True, "done": action_id, "finishing": True})
        return json_response({"ok": True, "done": action_id})
