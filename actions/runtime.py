"""What every action shares: the services, and calling them off the event loop."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Dict, List, Mapping

from rasa_sdk import Tracker

from actions.repairs import note_failed_write
from bot.errors import StoreError
from bot.languages import LANGUAGE_SLOT, language_of
from bot.leads.store import VisitContext
from bot.metrics import LEAD_STORE_FAILURES
from bot.qualification.answers import Answers
from bot.services import Services, get_services

logger = logging.getLogger(__name__)

#: Question slots are any-typed; these slots carry the visit's context.
TIMEZONE_SLOT = "visitor_timezone"
PAGE_URL_SLOT = "page_url"
UTM_SLOT = "utm"


def services() -> Services:
    return get_services()


async def store_call(func: Callable[..., Any], *args: Any) -> Any | None:
    """Runs a blocking lead-store call in a worker thread. A store failure is
    logged, counted and swallowed: the visitor's conversation goes on, Rasa's
    tracker still holds every answer, and the conversation is noted for repair
    (:mod:`actions.repairs`)."""
    try:
        return await asyncio.to_thread(func, *args)
    except StoreError as exc:
        call = str(getattr(func, "__name__", "unknown"))[:60]
        LEAD_STORE_FAILURES.labels(call).inc()
        logger.error("lead store call %s failed (%s)", call, exc.__class__.__name__)
        note_failed_write()
        return None


def visit_context(tracker: Tracker) -> VisitContext:
    """The page, UTM parameters and time zone the widget reported, and the conversation's language."""
    utm = tracker.get_slot(UTM_SLOT)
    return VisitContext(
        page_url=tracker.get_slot(PAGE_URL_SLOT),
        utm={str(k): str(v) for k, v in utm.items()} if isinstance(utm, dict) else {},
        browser_timezone=tracker.get_slot(TIMEZONE_SLOT),
        language=visitor_language(tracker),
    )


def tracker_answers(tracker: Tracker, overrides: Mapping[str, Any] | None = None) -> Answers:
    """The answers the tracker's question slots hold (``overrides`` from this turn win)."""
    playbook = services().playbook
    values = {slot: tracker.get_slot(slot) for slot in playbook.slots} | dict(overrides or {})
    return Answers.of(values, playbook)


def visitor_language(tracker: Tracker) -> str:
    """The language this visitor is spoken to in (a slot's value is checked, never trusted)."""
    return language_of(tracker.get_slot(LANGUAGE_SLOT))


def latest_intent(tracker: Tracker) -> str | None:
    intent: Dict[str, Any] = tracker.latest_message.get("intent") or {}
    return intent.get("name")


def session_events(tracker: Tracker) -> List[Dict[str, Any]]:
    """The tracker's events since its last ``session_started``, oldest first."""
    events: List[Dict[str, Any]] = []
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            break
        events.append(event)
    return events[::-1]
