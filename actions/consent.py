"""Consent: nothing personal is kept until the visitor says yes."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions.runtime import services, store_call, visit_context

CONSENT_SLOT = "consent"
#: Slots cleared when a visitor declines: everything they told us.
PERSONAL_SLOTS_EXTRA = ("reasked_slots", "free_email_warned")


async def record_consent(tracker: Tracker) -> List[EventType]:
    """Starts keeping this conversation (a button, or a typed yes to the notice)."""
    await store_call(services().leads.record_consent, tracker.sender_id, visit_context(tracker))
    return [SlotSet(CONSENT_SLOT, True)]


async def decline_events(tracker: Tracker) -> List[EventType]:
    """Forgets what the visitor told us: in the store, and every answer slot."""
    svc = services()
    await store_call(svc.leads.withdraw_consent, tracker.sender_id)
    cleared = [SlotSet(slot, None) for slot in (*svc.playbook.slots, *PERSONAL_SLOTS_EXTRA)]
    # Always leave the form (a no-op outside it), so every rule about declining reads the same.
    return [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None), SlotSet(CONSENT_SLOT, False), *cleared]


class ActionRecordConsent(Action):
    """The visitor agreed: start keeping this conversation."""

    def name(self) -> str:
        return "action_record_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        events = await record_consent(tracker)
        dispatcher.utter_message(response="utter_consent_thanks")
        return events


class ActionDeclineConsent(Action):
    """The visitor said no: forget what they told us, keep answering questions."""

    def name(self) -> str:
        return "action_decline_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        events = await decline_events(tracker)
        dispatcher.utter_message(response="utter_consent_declined")
        return events
