"""Ending, pausing and explaining the qualifying conversation."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions.contact import TIER_SLOT, link_values, utter_contact_route
from actions.runtime import services, store_call
from bot.scoring.policy import ScoringPolicy, close_response
from bot.scoring.score import Score, nurture_resource, score

QUALIFIED_SLOT = "qualification_done"


class ActionSubmitQualification(Action):
    """Every question is answered: score the answers, store the score, and
    close the way the tier calls for. A consented conversation is scored on
    the answers our store holds, not on the tracker's slots; without consent
    nothing is stored, and the close follows what the visitor said."""

    def name(self) -> str:
        return "action_submit_qualification"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        svc = services()
        stored = await store_call(svc.leads.stored_answers, tracker.sender_id)
        answers = stored if stored is not None else {slot: tracker.get_slot(slot) for slot in svc.playbook.slots}
        result = score(answers, svc.scoring)
        await store_call(svc.leads.end_conversation, tracker.sender_id, "completed")
        await store_call(svc.leads.record_score, tracker.sender_id, result)
        _close(dispatcher, result, answers, svc.scoring)
        return [SlotSet(QUALIFIED_SLOT, True), SlotSet(TIER_SLOT, result.tier.value)]


def _close(dispatcher: CollectingDispatcher, result: Score, answers: Dict[str, Any], policy: ScoringPolicy) -> None:
    """The tier's close (or the knock-out's own), with every link it may mention."""
    resource = nurture_resource(answers, policy)
    dispatcher.utter_message(
        response=close_response(policy, result.tier, result.knockout),
        resource_title=resource.title,
        resource_url=resource.url,
        **link_values(policy),
    )


class ActionStopQualification(Action):
    """The visitor wants to stop: keep what they said, leave the door open."""

    def name(self) -> str:
        return "action_stop_qualification"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        await store_call(services().leads.end_conversation, tracker.sender_id, "stopped")
        dispatcher.utter_message(response="utter_stopped")
        return [ActiveLoop(None), SlotSet(REQUESTED_SLOT, None)]


class ActionExplainQuestion(Action):
    """Answers "why do you ask?" for the question on the table."""

    def name(self) -> str:
        return "action_explain_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        question = services().playbook.question(tracker.get_slot(REQUESTED_SLOT))
        if question is None:
            dispatcher.utter_message(response="utter_why_generic")
        else:
            dispatcher.utter_message(text=question.why)
        return []


class ActionContactRoute(Action):
    """After the close, "a person, please" or "a demo, please" gets the honest
    route for the visitor's tier: never a meeting we won't book."""

    def name(self) -> str:
        return "action_contact_route"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        utter_contact_route(dispatcher, tracker)
        return []


class ActionHandleFallback(Action):
    """Two-stage fallback: first ask to rephrase, then offer a person."""

    def name(self) -> str:
        return "action_handle_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        if _last_bot_response_before_latest_message(tracker) != "utter_rephrase":
            dispatcher.utter_message(response="utter_rephrase")
        elif tracker.get_slot(QUALIFIED_SLOT):
            utter_contact_route(dispatcher, tracker)
        else:
            dispatcher.utter_message(response="utter_offer_human")
        return []


def _last_bot_response_before_latest_message(tracker: Tracker) -> str | None:
    seen_latest_user_message = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_latest_user_message:
                return None
            seen_latest_user_message = True
        elif event.get("event") == "bot" and seen_latest_user_message:
            return (event.get("metadata") or {}).get("utter_action")
    return None
