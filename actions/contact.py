"""How a visitor reaches a person after the close: the route fits their tier."""

from __future__ import annotations

from typing import Dict

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.runtime import services
from bot.scoring.policy import ScoringPolicy, Tier

TIER_SLOT = "lead_tier"


def link_values(policy: ScoringPolicy) -> Dict[str, str]:
    """The links of ops/scoring.yml, by the names responses use."""
    links = policy.links
    return {
        "careers_url": links.careers,
        "research_contact": links.research_contact,
        "support_url": links.support_portal,
        "sales_contact": links.sales_contact,
        "partners_contact": links.partners_contact,
    }


#: How a visitor reaches a person after the close, by tier: only a CQL hears about a meeting.
CONTACT_ROUTES = {
    Tier.CQL: "utter_contact_cql",
    Tier.NURTURE: "utter_contact_nurture",
    Tier.DISQUALIFIED: "utter_contact_general",
    Tier.SUPPORT: "utter_contact_support",
}


def utter_contact_route(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """The contact response for this visitor's tier (general when not scored), with its links."""
    try:
        response = CONTACT_ROUTES[Tier(tracker.get_slot(TIER_SLOT))]
    except ValueError:
        response = "utter_contact_general"
    dispatcher.utter_message(response=response, **link_values(services().scoring))
