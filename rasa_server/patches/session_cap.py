"""A conversation's history has a ceiling: a long session starts a new one.

Rasa loads, replays and checks a conversation's whole session on every
turn, on the event loop. A sender who had sent 500 messages had a 3,000-event
session: each of its turns then took 4.2–4.5 s and held up every other
conversation for that long. :func:`install` makes a session count as expired
once it holds more than ``SESSION_MAX_EVENTS`` events (400 by default; a
whole conversation, questions and booking, is about 150). Rasa then runs
``action_session_start``, which carries the slots over (actions/session.py),
and from then on loads only the new session, so a long conversation costs
what a short one costs. The events stay in the tracker store.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Callable

from rasa.core.processor import MessageProcessor

from rasa_server.patches.guard import replace

logger = logging.getLogger(__name__)

DEFAULT_MAX_EVENTS = 400


def max_events() -> int:
    try:
        value = int(os.environ.get("SESSION_MAX_EVENTS") or DEFAULT_MAX_EVENTS)
    except ValueError:
        return DEFAULT_MAX_EVENTS
    return value if value > 0 else DEFAULT_MAX_EVENTS


def session_length(tracker: Any) -> int:
    """Events since the session started (the store loads only the latest session, but a tracker may hold more)."""
    count = 0
    for event in reversed(tracker.events):
        if getattr(event, "type_name", None) == "session_started":
            break
        count += 1
    return count


def wrap(has_session_expired: Callable[..., bool]) -> Callable[..., bool]:
    ceiling = max_events()  # read from the environment once, here

    def expired_or_too_long(self: MessageProcessor, tracker: Any) -> bool:
        if has_session_expired(self, tracker):
            return True
        if len(tracker.events) > ceiling and session_length(tracker) > ceiling:
            logger.warning("a conversation's session passed %d events: starting a new one", ceiling)
            return True
        return False

    expired_or_too_long.__wrapped__ = has_session_expired  # type: ignore[attr-defined]
    return expired_or_too_long


def install() -> None:
    replace(MessageProcessor, "_has_session_expired", "rasa.core.processor.MessageProcessor._has_session_expired", wrap)
