"""Real rasa-sdk Trackers and dispatchers for action tests."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Tuple

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.settings import PROJECT_ROOT


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())


def user_event(text: str, intent: str = "inform", confidence: float = 0.9) -> Dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "parse_data": {"text": text, "intent": {"name": intent, "confidence": confidence}},
    }


def make_tracker(
    domain: Dict[str, Any],
    *,
    slots: Dict[str, Any] | None = None,
    said: List[Dict[str, Any]] | None = None,
    after_user: List[Dict[str, Any]] | None = None,
    active_loop: str | None = "qualification_form",
    sender_id: str = "visitor-1",
) -> Tracker:
    """A tracker whose session holds the user events ``said``; ``after_user``
    are events after the latest one (e.g. the SlotSet of a from_text mapping)."""
    all_slots: Dict[str, Any] = {name: None for name in domain["slots"]}
    all_slots["requested_slot"] = None
    all_slots.update(slots or {})
    said = said or [user_event("hi", "greet")]
    listened = [e for user in said for e in ({"event": "action", "name": "action_listen"}, user)]
    # Rasa hands a form's validation a tracker that ends with the form's own run.
    ran = [{"event": "action", "name": active_loop}] if active_loop else []
    events = [{"event": "session_started"}, *listened, *ran, *(after_user or [])]
    for event in after_user or []:
        if event.get("event") == "slot":
            all_slots[event["name"]] = event["value"]
    latest = said[-1]
    return Tracker(
        sender_id=sender_id,
        slots=all_slots,
        latest_message={**latest["parse_data"], "text": latest["text"]},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def slot_event(name: str, value: Any) -> Dict[str, Any]:
    return {"event": "slot", "timestamp": None, "name": name, "value": value}


def run(action: Action, tracker: Any, domain: Dict[str, Any]) -> Tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    """Runs ``action`` as the action server would: its events and its messages."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain))
    return events, dispatcher.messages
