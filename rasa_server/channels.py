"""The chat channels (REST and Socket.IO) with limits that protect everyone.

``credentials.yml`` names these instead of Rasa's own ``rest`` and
``socketio``; their URLs are the same (``/webhooks/rest/webhook``,
``/socket.io``). Before a message reaches the model or the tracker store:

- **the request is checked** (REST): a body that is not a JSON object, a
  missing or malformed ``sender`` (1–128 letters, digits and ``-_.:@``), a
  ``message`` that is not a string or ``metadata`` that is not an object get
  400 with a reason. Rasa's own channel answered 500, joined a shared
  conversation called ``default`` or stored a 10,000-character sender id.
- **a long message is cut, a huge one refused**: a message over
  :data:`MAX_STORED_CHARS` is cut to that length (at a word) before anything
  is stored (a long paste still answers the question; the model reads its
  first 1,000 characters); one over :data:`MAX_MESSAGE_CHARS` is not stored
  at all and the visitor is asked for a shorter one. 1 MB and 10 MB messages
  used to be stored whole.
- **one sender, a message or two at a time, and not too many**: while
  :data:`MAX_IN_FLIGHT` of a sender's messages are waiting for the bot, the
  next one is turned away at once instead of queueing behind them (500
  messages sent at once took 15 minutes to drain, holding the conversation's
  lock); and each sender may send :data:`SENDER_BURST` messages at once and
  then one every :data:`SENDER_REFILL_SECONDS`. Each address that is not
  loopback gets :data:`ADDRESS_BURST` and then :data:`ADDRESS_PER_SECOND` per
  second (a proxy in front of the Rasa server limits by the visitor's
  address itself, ``docs/deploy.md``). A turned-away visitor gets a polite
  message saying why, never silence; REST answers 413 (too long) or 429.

The counts live in each Rasa server process (a Sanic worker), bounded in
size; they are a guard against floods, not an accounting.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from json import loads as json_loads
from typing import Any, Awaitable, Callable, Dict, Tuple

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, json

from rasa_server.limits import MAX_MESSAGE_CHARS, MAX_STORED_CHARS, SENDER_BURST, TOO_FAST, TOO_LONG, UNREADABLE
from rasa_server.nlu.text_guard import cut_at_word

logger = logging.getLogger(__name__)

SENDER_PATTERN = re.compile(r"[A-Za-z0-9_.:@-]{1,128}")
MAX_IN_FLIGHT = 2
SENDER_REFILL_SECONDS = 1.0
ADDRESS_BURST = 120
ADDRESS_PER_SECOND = 10.0
MAX_TRACKED_KEYS = 50_000


Handler = Callable[[UserMessage], Awaitable[Any]]


@dataclass
class TokenBuckets:
    """A token bucket per key: ``burst`` at once, then ``per_second``; the oldest keys are forgotten first."""

    burst: float
    per_second: float
    clock: Callable[[], float] = time.monotonic
    buckets: OrderedDict[str, tuple[float, float]] = field(default_factory=OrderedDict)

    def take(self, key: str) -> bool:
        now = self.clock()
        tokens, then = self.buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.per_second)
        allowed = tokens >= 1
        self.buckets[key] = (tokens - 1 if allowed else tokens, now)
        while len(self.buckets) > MAX_TRACKED_KEYS:
            self.buckets.popitem(last=False)
        return allowed


@dataclass
class ChatLimits:
    """The size, rate and in-flight limits of one Rasa server process."""

    senders: TokenBuckets = field(default_factory=lambda: TokenBuckets(SENDER_BURST, 1 / SENDER_REFILL_SECONDS))
    addresses: TokenBuckets = field(default_factory=lambda: TokenBuckets(ADDRESS_BURST, ADDRESS_PER_SECOND))
    in_flight: Dict[str, int] = field(default_factory=dict)

    def refusal(self, sender: str, text: str, address: str | None) -> str | None:
        """Why this message is turned away (a sentence for the visitor), or None to let it through."""
        if len(text) > MAX_MESSAGE_CHARS:
            return TOO_LONG
        if self.in_flight.get(sender, 0) >= MAX_IN_FLIGHT:
            return TOO_FAST
        if address and not is_loopback(address) and not self.addresses.take(address):
            return TOO_FAST
        if not self.senders.take(sender):
            return TOO_FAST
        return None

    def counting(self, on_new_message: Handler) -> Handler:
        """``on_new_message`` that counts each sender's messages waiting for the bot."""

        async def counted(message: UserMessage) -> Any:
            sender = str(message.sender_id)
            self.in_flight[sender] = self.in_flight.get(sender, 0) + 1
            try:
                return await on_new_message(message)
            finally:
                left = self.in_flight.pop(sender, 1) - 1
                if left > 0:
                    self.in_flight[sender] = left

        return counted

    def guard(self, on_new_message: Handler) -> Handler:
        """``on_new_message`` behind the limits: a refused message gets its sentence and is never stored."""
        counted = self.counting(on_new_message)

        async def guarded(message: UserMessage) -> Any:
            sender = str(message.sender_id)
            if not SENDER_PATTERN.fullmatch(sender):
                logger.warning("chat message with a malformed session id ignored")
                return None
            reason = self.refusal(sender, message.text or "", None)
            if reason is not None:
                log_refusal(reason)
                await message.output_channel.send_text_message(sender, reason)
                return None
            message.text = cut_to_stored(message.text or "")
            return await counted(message)

        return guarded


def cut_to_stored(text: str) -> str:
    """``text``, or its first :data:`MAX_STORED_CHARS` characters, cut at a space when one is near."""
    return cut_at_word(text, MAX_STORED_CHARS, 200)


def log_refusal(reason: str) -> None:
    logger.warning("chat message turned away: %s", "too long" if reason == TOO_LONG else "too fast")


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def message_problem(sender: Any, text: Any, metadata: Any, sender_field: str) -> str | None:
    """What is wrong with a chat message's sender, text or metadata (either channel's), or None."""
    if not isinstance(sender, str) or not SENDER_PATTERN.fullmatch(sender):
        return f"{sender_field} must be 1-128 letters, digits or -_.:@"
    if not isinstance(text, str):
        return "'message' must be a string"
    if metadata is not None and not isinstance(metadata, dict):
        return "'metadata' must be a JSON object"
    return None


def request_problem(request: Request) -> str | None:
    """What is wrong with a REST chat request's body, or None."""
    try:
        body = request.json
    except Exception:  # noqa: BLE001 - Sanic raises its own error for a body that is not JSON
        return "the body must be JSON"
    if not isinstance(body, dict):
        return "the body must be a JSON object with 'sender' and 'message'"
    problem = message_problem(body.get("sender"), body.get("message"), body.get("metadata"), "'sender'")
    if problem:
        return problem
    if body.get("input_channel") is not None and not isinstance(body["input_channel"], str):
        return "'input_channel' must be a string"
    return None


class GuardedRestInput(RestInput):
    """Rasa's REST channel, its requests checked and its senders limited."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        limits = ChatLimits()
        blueprint = super().blueprint(limits.counting(on_new_message))

        @blueprint.on_request
        async def check(request: Request) -> HTTPResponse | None:
            if request.method != "POST":
                return None
            problem = request_problem(request)
            if problem:
                return json({"error": "bad request", "reason": problem}, status=400)
            sender, text = request.json["sender"], request.json["message"]
            reason = limits.refusal(sender, text, request.remote_addr or request.ip)
            if reason is None:
                request.json["message"] = cut_to_stored(text)  # what Rasa's channel reads next
                return None
            log_refusal(reason)
            return json([{"recipient_id": sender, "text": reason}], status=413 if reason == TOO_LONG else 429)

        return blueprint


class GuardedSocketIOInput(SocketIOInput):
    """Rasa's Socket.IO channel (the widget's), its events checked and its messages limited
    the same way as REST's, per sender and per address. Rasa's own handlers took any
    ``session_id`` (10,000 characters, or none: a message then joined no conversation
    and Rasa warned with the message's data) and failed on a message or metadata of the
    wrong type, logging the event."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        limits = ChatLimits()
        counted = limits.counting(on_new_message)
        blueprint = super().blueprint(counted)
        sio = self.sio
        assert sio is not None  # set by the blueprint just built
        confirmed = ConfirmedSessions()

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            asked = data.get("session_id") if isinstance(data, dict) else None
            session_id = asked if isinstance(asked, str) and SENDER_PATTERN.fullmatch(asked) else uuid.uuid4().hex
            if self.session_persistence:
                sio.enter_room(sid, session_id)
            confirmed.confirm(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str) -> None:
            confirmed.forget(sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            output = SocketIOOutput(sio, self.bot_message_evt)
            problem, sender, text, metadata = socketio_message(data, sid, self.session_persistence, self.metadata_key)
            if problem is None and self.session_persistence and confirmed.session_of(sid) != sender:
                problem = "the session id is not the one confirmed for this connection"
            if problem is not None:
                logger.warning("socket.io chat message ignored: %s", problem)
                await output.send_text_message(sid, UNREADABLE)
                return
            reason = limits.refusal(sender, text, socketio_address(sio, sid))
            if reason is not None:
                log_refusal(reason)
                await output.send_text_message(sender, reason)
                return
            message = UserMessage(cut_to_stored(text), output, sender, input_channel=self.name(), metadata=metadata)
            await counted(message)

        return blueprint


@dataclass
class ConfirmedSessions:
    """The session id confirmed to each Socket.IO connection: a message may only speak for its own."""

    sessions: OrderedDict[str, str] = field(default_factory=OrderedDict)

    def confirm(self, sid: str, session_id: str) -> None:
        self.sessions.pop(sid, None)
        self.sessions[sid] = session_id
        while len(self.sessions) > MAX_TRACKED_KEYS:
            self.sessions.popitem(last=False)

    def session_of(self, sid: str) -> str | None:
        return self.sessions.get(sid)

    def forget(self, sid: str) -> None:
        self.sessions.pop(sid, None)


def socketio_message(
    data: Any, sid: str, session_persistence: bool, metadata_key: str
) -> Tuple[str | None, str, str, Dict[str, Any] | None]:
    """(what is wrong, sender, text, metadata) of a Socket.IO ``user_uttered`` event."""
    if not isinstance(data, dict):
        return "the event must be an object", "", "", None
    sender = data.get("session_id") if session_persistence else sid
    text = data.get("message", "")
    metadata = data.get(metadata_key)
    if isinstance(metadata, str):
        try:
            metadata = json_loads(metadata)
        except (ValueError, RecursionError):
            return "the metadata is not JSON", "", "", None
    problem = message_problem(sender, text, metadata, "the session id")
    if problem:
        return problem, "", "", None
    return None, str(sender), str(text), metadata or {}


def socketio_address(sio: Any, sid: str) -> str | None:
    """The address a Socket.IO client connected from (Sanic's request, kept by engine.io)."""
    try:
        request = sio.get_environ(sid).get("sanic.request")
    except (AttributeError, KeyError):
        return None
    return (getattr(request, "remote_addr", None) or getattr(request, "ip", None)) if request is not None else None
