"""Session start: carry the visitor's answers over and take the widget's metadata."""

from __future__ import annotations

import time
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ActiveLoop, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions.runtime import PAGE_URL_SLOT, TIMEZONE_SLOT, UTM_SLOT, services, store_call
from bot.languages import DEFAULT_LANGUAGE, LANGUAGE_SLOT, language_of
from bot.leads.store import VisitContext
from bot.visit import visit_from_metadata

_NOT_CARRIED = {"session_started_metadata", REQUESTED_SLOT}


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        carried = [
            SlotSet(name, value)
            for name, value in tracker.slots.items()
            if value is not None and name not in _NOT_CARRIED
        ]
        visit = visit_from_metadata(tracker.get_slot("session_started_metadata"))
        if not carried:  # a new visitor, not a returning session: count the chat for the funnel
            language = visit["language"] or language_of(tracker.get_slot(LANGUAGE_SLOT))
            opened = VisitContext(
                page_url=visit["page_url"], utm=visit["utm"], browser_timezone=None, language=language
            )
            await store_call(services().leads.record_chat_open, opened)
        context = []
        if visit["timezone"]:
            context.append(SlotSet(TIMEZONE_SLOT, visit["timezone"]))
        if visit["page_url"]:
            context.append(SlotSet(PAGE_URL_SLOT, visit["page_url"]))
        if visit["utm"]:
            context.append(SlotSet(UTM_SLOT, visit["utm"]))
        if visit["language"] and tracker.get_slot(LANGUAGE_SLOT) in (None, DEFAULT_LANGUAGE):
            context.append(SlotSet(LANGUAGE_SLOT, visit["language"]))  # the visitor's own words decide later
        return [SessionStarted(), *carried, *resumed_form(tracker, domain), *context, ActionExecuted("action_listen")]


def resumed_form(tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
    """A session cut for its length (:mod:`rasa_server.patches.session_cap`) while a form was
    running goes on with that form and its question; a session that expired (the visitor
    was away longer than the session lasts) starts afresh, with its answers."""
    form = tracker.active_loop_name
    if not form:
        return []
    expiry_minutes = float((domain.get("session_config") or {}).get("session_expiration_time") or 0)
    stamps = [e["timestamp"] for e in tracker.events if isinstance(e.get("timestamp"), (int, float))]
    if expiry_minutes > 0 and (not stamps or time.time() - max(stamps) >= expiry_minutes * 60):
        return []
    return [ActiveLoop(form), SlotSet(REQUESTED_SLOT, tracker.get_slot(REQUESTED_SLOT))]
