"""Session start: carry the visitor's answers over and take the widget's metadata."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.runtime import PAGE_URL_SLOT, TIMEZONE_SLOT, UTM_SLOT, services, store_call
from bot.leads.store import VisitContext
from bot.visit import visit_from_metadata

_NOT_CARRIED = {"session_started_metadata", "requested_slot"}


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
            opened = VisitContext(page_url=visit["page_url"], utm=visit["utm"], browser_timezone=None)
            await store_call(services().leads.record_chat_open, opened)
        context = []
        if visit["timezone"]:
            context.append(SlotSet(TIMEZONE_SLOT, visit["timezone"]))
        if visit["page_url"]:
            context.append(SlotSet(PAGE_URL_SLOT, visit["page_url"]))
        if visit["utm"]:
            context.append(SlotSet(UTM_SLOT, visit["utm"]))
        return [SessionStarted(), *carried, *context, ActionExecuted("action_listen")]
