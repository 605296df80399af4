"""Booking inside the chat: offer times, book the pick, and every way around it.

Thin: each action reads slots, calls the scheduler (off the event loop) and
answers. The stage of the booking lives in ``booking_stage``:

- ``timezone``: the visitor's zone is unknown; the timezone form asks it;
- ``offering``: times are on screen (``offered_slots``);
- ``preferences``: nobody is free; the preferences form takes times in words;
- ``booked``, ``declined``, ``waiting`` (a person will book by hand).
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime
from typing import Any, Dict, List
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.contact import TIER_SLOT, utter_contact_route
from actions.runtime import TIMEZONE_SLOT, latest_intent, services, store_call
from bot.errors import StoreError
from bot.routing.lead_fields import routing_lead
from bot.routing.log import DECLINED, MANUAL
from bot.routing.router import RouteDecision
from bot.scheduling.scheduler import LeadBrief, OfferedSlot
from bot.scheduling.zones import country_timezone, parse_timezone, slot_label, zone_label
from bot.scoring.policy import Tier
from bot.scoring.score import answer_text, score
from calendar_booking.errors import BookingError, CalendarUnavailable, SlotTaken
from calendar_booking.port import Attendee

logger = logging.getLogger(__name__)

STAGE_SLOT = "booking_stage"
OFFER_SLOT = "offered_slots"
OFFER_AFTER_SLOT = "offer_after"
ROUTE_SLOT = "route_decision"
BOOKING_SLOT = "booking_id"
TIMEZONE_ANSWER_SLOT = "timezone_answer"
PREFERRED_TIMES_SLOT = "preferred_times"
CHOICE_ENTITY = "slot_choice"

_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5, "last": -1}  # fmt: skip
_TIME = re.compile(r"\b(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\b", re.I)


def valid_zone(name: Any) -> str | None:
    if not isinstance(name, str) or not name or len(name) > 64:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def visitor_zone(tracker: Tracker) -> str | None:
    """The widget's browser zone, else the zone of the country the visitor
    named when that country keeps one time."""
    zone = valid_zone(tracker.get_slot(TIMEZONE_SLOT))
    if zone:
        return zone
    playbook = services().playbook
    for question in playbook.questions:
        value = tracker.get_slot(question.slot)
        if question.parser.value == "country" and isinstance(value, dict):
            return country_timezone(value.get("country_code"), services().clock.now())
    return None


def _answers(tracker: Tracker) -> Dict[str, Any]:
    return {slot: tracker.get_slot(slot) for slot in services().playbook.slots}


def _ae_name(key: str) -> str:
    ae = services().team.by_key.get(key)
    return ae.name if ae else "our team"


def _first_name(key: str) -> str:
    return _ae_name(key).split()[0]


async def offer_times(
    dispatcher: CollectingDispatcher, tracker: Tracker, after: datetime | None = None, tier: str | None = None
) -> List[EventType]:
    """Routes the lead (once) and offers the next times; asks the zone first
    if unknown. ``tier`` is the fresh tier while the slot is not set yet."""
    svc = services()
    if (tier or tracker.get_slot(TIER_SLOT)) != Tier.CQL.value:
        utter_contact_route(dispatcher, tracker)  # only a CQL is offered a meeting
        return []
    zone = visitor_zone(tracker)
    if zone is None:
        dispatcher.utter_message(response="utter_ask_timezone_answer")
        return [SlotSet(STAGE_SLOT, "timezone"), *start_form("timezone_form", TIMEZONE_ANSWER_SLOT)]
    events: List[EventType] = [SlotSet(TIMEZONE_SLOT, zone)]
    decision = RouteDecision.from_slot(tracker.get_slot(ROUTE_SLOT))
    try:
        free = None
        if decision is None:
            answers = _answers(tracker)
            lead = routing_lead(answers, svc.playbook, svc.routing, score(answers, svc.scoring))
            decision, free = await asyncio.to_thread(svc.scheduler.route, lead)
            await store_call(svc.routing_log.record_decision, tracker.sender_id, decision)
            events.append(SlotSet(ROUTE_SLOT, decision.to_slot()))
        offer = await asyncio.to_thread(svc.scheduler.offer, decision, zone, after, free)
    except CalendarUnavailable:
        logger.exception("offering times to %s failed", tracker.sender_id)
        dispatcher.utter_message(response="utter_calendar_down")
        return events + ask_preferred_times(dispatcher)
    if not offer.slots:
        dispatcher.utter_message(
            response="utter_no_more_times" if after else "utter_nobody_available",
            horizon_days=svc.booking.meeting.horizon_days,
        )
        return events + ask_preferred_times(dispatcher)
    names = sorted({_ae_name(key) for key in offer.aes})
    buttons = [
        {"title": slot_label(slot.start, zone), "payload": f'/pick_slot{{"{CHOICE_ENTITY}":"{slot.number}"}}'}
        for slot in offer.slots
    ]
    buttons += [
        {"title": "Other times", "payload": "/other_times"},
        {"title": "None of these work", "payload": "/no_slot_works"},
    ]
    dispatcher.utter_message(
        response="utter_offer_times",
        ae_names=" or ".join(names) if len(names) <= 2 else "our team",
        zone=zone_label(zone, offer.slots[0].start),
        buttons=buttons,
    )
    return events + [
        SlotSet(STAGE_SLOT, "offering"),
        SlotSet(OFFER_SLOT, [slot.to_slot() for slot in offer.slots]),
        SlotSet(OFFER_AFTER_SLOT, offer.last_start.isoformat() if offer.last_start else None),
    ]


def start_form(form: str, first_slot: str) -> List[EventType]:
    """Starts ``form`` on its first question (already asked by the caller)."""
    return [ActiveLoop(form), SlotSet(REQUESTED_SLOT, first_slot)]


def ask_preferred_times(dispatcher: CollectingDispatcher) -> List[EventType]:
    """Nobody can be booked here: ask for times in words, for a person to book."""
    dispatcher.utter_message(response="utter_ask_preferred_times")
    return [SlotSet(STAGE_SLOT, "preferences"), *start_form("preferences_form", PREFERRED_TIMES_SLOT)]


def chosen_slot(tracker: Tracker) -> OfferedSlot | None:
    """The offered slot the visitor picked: the button's number, or typed
    words that name exactly one of them ("the second one", "Tue 10:00")."""
    offered = [s for s in (OfferedSlot.from_slot(v) for v in tracker.get_slot(OFFER_SLOT) or []) if s is not None]
    if not offered:
        return None
    choice = next(
        (e.get("value") for e in tracker.latest_message.get("entities") or [] if e.get("entity") == CHOICE_ENTITY), None
    )
    if choice is not None:
        return next((s for s in offered if str(s.number) == str(choice).strip()), None)
    text = (tracker.latest_message.get("text") or "")[:200].lower()
    if text.startswith("/"):
        return None
    words = re.findall(r"[a-z0-9]+", text)
    for word in words:
        if word in _ORDINALS:
            index = _ORDINALS[word]
            return offered[index - 1] if index <= len(offered) else None
    if len(words) <= 3 and len(words) >= 1 and words[-1].isdigit() and 1 <= int(words[-1]) <= len(offered):
        return offered[int(words[-1]) - 1]
    zone = valid_zone(tracker.get_slot(TIMEZONE_SLOT)) or "UTC"
    matches = [s for s in offered if _mentions(text, s, zone)]
    return matches[0] if len(matches) == 1 else None


def _mentions(text: str, slot: OfferedSlot, zone: str) -> bool:
    local = slot.start.astimezone(ZoneInfo(zone))
    day_named = any(name in text for name in (local.strftime("%a").lower(), local.strftime("%A").lower()))
    for hour_text, minute_text, meridiem in _TIME.findall(text):
        hour, minute = int(hour_text), int(minute_text or 0)
        if meridiem.lower() == "pm" and hour < 12:
            hour += 12
        if meridiem.lower() == "am" and hour == 12:
            hour = 0
        if (hour, minute) == (local.hour, local.minute):
            return day_named or not any(d in text for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    return False


def _brief(tracker: Tracker) -> LeadBrief:
    svc = services()
    answers = _answers(tracker)
    result = score(answers, svc.scoring)
    by_parser = {
        q.parser.value: answer_text(answers.get(q.slot))
        for q in svc.playbook.questions
        if answers.get(q.slot) is not None
    }
    summary_parts = [
        by_parser.get("role"),
        by_parser.get("company_size"),
        by_parser.get("timeline"),
        by_parser.get("country"),
    ]
    use_case = answer_text(answers.get("use_case"))
    summary = " · ".join(p for p in summary_parts if p)
    if use_case:
        summary += f"\nWhat they want: {use_case[:300]}"
    try:
        lead_id = svc.leads.lead_id_for(tracker.sender_id)
    except StoreError:
        logger.exception("reading the lead of %s failed", tracker.sender_id)
        lead_id = None
    return LeadBrief(
        visitor_name=by_parser.get("name") or "the visitor",
        visitor_email=by_parser.get("email") or "",
        company=by_parser.get("company") or "their company",
        score=result.points,
        tier=result.tier.value,
        reasons=tuple(reason.text for reason in result.reasons),
        summary=summary,
        lead_url=f"{svc.settings.public_url}/api/leads/{lead_id}" if lead_id else svc.settings.public_url,
    )


def _attendee(tracker: Tracker) -> Attendee | None:
    for question in services().playbook.questions:
        value = tracker.get_slot(question.slot)
        if question.parser.value == "email" and isinstance(value, dict) and value.get("address"):
            name = next(
                (
                    answer_text(tracker.get_slot(q.slot))
                    for q in services().playbook.questions
                    if q.parser.value == "name"
                ),
                None,
            )
            return Attendee(email=str(value["address"]), name=name or None)
    return None


class ActionOfferTimes(Action):
    """Offers times: after the zone is known, for "other times", or when a CQL asks again."""

    def name(self) -> str:
        return "action_offer_times"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        after = None
        if latest_intent(tracker) == "other_times" and tracker.get_slot(STAGE_SLOT) == "offering":
            raw = tracker.get_slot(OFFER_AFTER_SLOT)
            after = datetime.fromisoformat(raw) if isinstance(raw, str) else None
        return await offer_times(dispatcher, tracker, after=after)


class ActionBookSlot(Action):
    """Books the visitor's pick, or says honestly why not and what next."""

    def name(self) -> str:
        return "action_book_slot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        svc = services()
        pick = chosen_slot(tracker)
        decision = RouteDecision.from_slot(tracker.get_slot(ROUTE_SLOT))
        if pick is None or decision is None:
            zone = parse_timezone(tracker.latest_message.get("text"))
            if zone and zone != tracker.get_slot(TIMEZONE_SLOT):
                return await offer_times(dispatcher, _with_zone(tracker, zone))
            dispatcher.utter_message(response="utter_pick_unclear")
            return await offer_times(dispatcher, tracker)
        attendee = _attendee(tracker)
        if attendee is None:  # a CQL always gave an email; without it only a person can book
            return ask_preferred_times(dispatcher)
        zone = valid_zone(tracker.get_slot(TIMEZONE_SLOT)) or "UTC"
        try:
            brief = await asyncio.to_thread(_brief, tracker)
            booking = await asyncio.to_thread(
                svc.scheduler.book, decision, pick, attendee, brief, tracker.sender_id, zone
            )
        except SlotTaken:
            dispatcher.utter_message(response="utter_slot_taken", when=slot_label(pick.start, zone))
            return await offer_times(dispatcher, tracker)
        except CalendarUnavailable:
            logger.exception("booking for %s failed", tracker.sender_id)
            dispatcher.utter_message(response="utter_booking_failed", ae_name=_first_name(pick.ae))
            return [SlotSet(STAGE_SLOT, "offering")]
        previous = tracker.get_slot(BOOKING_SLOT)
        if isinstance(previous, str) and previous != booking.id:
            await self._cancel_previous(previous)
        local = booking.start.astimezone(ZoneInfo(zone))
        dispatcher.utter_message(
            response="utter_booked_invite" if booking.invites_sent else "utter_booked",
            when=f"{slot_label(booking.start, zone)}–{booking.end.astimezone(ZoneInfo(zone)):%H:%M}",
            zone=zone_label(zone, local),
            ae_name=_ae_name(booking.host_key),
            email=attendee.email,
            minutes=svc.booking.meeting.minutes,
        )
        return [SlotSet(STAGE_SLOT, "booked"), SlotSet(BOOKING_SLOT, booking.id), SlotSet(OFFER_SLOT, None)]

    @staticmethod
    async def _cancel_previous(booking_id: str) -> None:
        """A visitor who changed their mind and picked anew: the old meeting goes."""
        try:
            await asyncio.to_thread(services().bookings.cancel, booking_id)
        except BookingError:
            logger.exception("cancelling the replaced booking %s failed", booking_id)


def _with_zone(tracker: Tracker, zone: str) -> Tracker:
    tracker.slots[TIMEZONE_SLOT] = zone
    return tracker


class ActionDeclineMeeting(Action):
    """A CQL who does not want a meeting now: kept, and the AE follows up."""

    def name(self) -> str:
        return "action_decline_meeting"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        decision = RouteDecision.from_slot(tracker.get_slot(ROUTE_SLOT))
        await store_call(services().routing_log.record_request, tracker.sender_id, DECLINED, decision)
        name = _first_name(decision.ae) if decision and decision.ae else "Our team"
        dispatcher.utter_message(response="utter_meeting_declined", ae_name=name)
        return [SlotSet(STAGE_SLOT, "declined"), SlotSet(OFFER_SLOT, None)]


class ActionRequestManualBooking(Action):
    """Nobody was free, or no time suited: a person books from the visitor's words."""

    def name(self) -> str:
        return "action_request_manual_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        decision = RouteDecision.from_slot(tracker.get_slot(ROUTE_SLOT))
        preferred = tracker.get_slot(PREFERRED_TIMES_SLOT)
        await store_call(
            services().routing_log.record_request,
            tracker.sender_id,
            MANUAL,
            decision,
            preferred if isinstance(preferred, str) else None,
        )
        attendee = _attendee(tracker)
        dispatcher.utter_message(
            response="utter_manual_booking",
            ae_name=_ae_name(decision.ae) if decision and decision.ae else "Someone from our team",
            email=attendee.email if attendee else "your email",
        )
        return [SlotSet(STAGE_SLOT, "waiting"), SlotSet(OFFER_SLOT, None)]


class ValidateTimezoneForm(FormValidationAction):
    """Understands the visitor's time zone; one hint, then UTC with a word of warning."""

    def name(self) -> str:
        return "validate_timezone_form"

    async def validate_timezone_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        zone = parse_timezone(value if isinstance(value, str) else None)
        if zone:
            return {TIMEZONE_ANSWER_SLOT: value[:80], TIMEZONE_SLOT: zone}
        if tracker.get_slot("timezone_reasked"):
            dispatcher.utter_message(response="utter_timezone_fallback")
            return {TIMEZONE_ANSWER_SLOT: str(value)[:80], TIMEZONE_SLOT: "UTC"}
        dispatcher.utter_message(response="utter_timezone_hint")
        return {TIMEZONE_ANSWER_SLOT: None, "timezone_reasked": True}


class ValidatePreferencesForm(FormValidationAction):
    """Keeps the visitor's preferred times as typed (bounded)."""

    def name(self) -> str:
        return "validate_preferences_form"

    async def validate_preferred_times(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = " ".join(str(value or "").split())[:1000]
        return {PREFERRED_TIMES_SLOT: text or None}
