"""Ending, pausing and explaining the qualifying conversation."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions.contact import TIER_SLOT, link_values, utter_contact_route
from actions.runtime import services, store_call, tracker_answers, visitor_language
from bot.qualification.answers import Answers
from bot.scoring.policy import ScoringPolicy, close_response
from bot.scoring.score import Score, knockout_of, nurture_resource, score

QUALIFIED_SLOT = "qualification_done"
KNOCKOUT_SLOT = "knockout"


class ActionSubmitQualification(Action):
    """Every question is answered: score the answers, store the score, and
    close the way the tier calls for. A consented conversation is scored on
    the answers our store holds, not on the tracker's slots; without consent
    nothing is stored, and the close follows what the visitor said."""

    def name(self) -> str:
        return "action_submit_qualification"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        svc = services()
        stored = await store_call(svc.leads.stored_conversation, tracker.sender_id)
        if stored is not None:
            answers, knockout = stored
        else:
            answers = tracker_answers(tracker)
            knockout = tracker.get_slot(KNOCKOUT_SLOT)
        result = score(answers, svc.scoring, knockout or tracker.get_slot(KNOCKOUT_SLOT))
        await store_call(svc.leads.end_conversation, tracker.sender_id, "completed", visitor_language(tracker))
        await store_call(svc.leads.record_score, tracker.sender_id, result)
        _close(dispatcher, result, answers, svc.scoring, visitor_language(tracker))
        if result.knockout and knockout_of(answers, svc.scoring) is None:
            dispatcher.utter_message(response="utter_not_what_you_meant")  # read from a message: may be wrong
        return [SlotSet(QUALIFIED_SLOT, True), SlotSet(TIER_SLOT, result.tier.value)]


def _close(
    dispatcher: CollectingDispatcher, result: Score, answers: Answers, policy: ScoringPolicy, language: str
) -> None:
    """The tier's close (or the knock-out's own), with every link it may mention."""
    resource = nurture_resource(answers, policy)
    dispatcher.utter_message(
        response=close_response(policy, result.tier, result.knockout),
        resource_title=resource.title_in(language),
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


class ActionContactRoute(Action):
    """After the close, "a person, please" or "a demo, please" gets the honest
    route for the visitor's tier: never a meeting we won't book."""

    def name(self) -> str:
        return "action_contact_route"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        utter_contact_route(dispatcher, tracker)
        return []
