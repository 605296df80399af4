"""Booking inside the chat, as a Rasa form: ``booking_form``.

The form asks, in order:

- ``timezone_answer``, only when neither the widget nor the visitor's
  country gave a time zone;
- ``slot_pick``: ``action_ask_slot_pick`` routes the lead (once) and shows
  3–5 times as buttons with "Other times" and "None of these work". The
  validation books the pick, or pages, re-offers after a taken slot, switches
  zone, or takes a decline;
- ``preferred_times``, only after "none of these work" (or nobody free): the
  visitor's own words, for a person to book.

When the form ends, ``action_booking_outcome`` says what happened. Actions
stay thin: the scheduler in ``bot.scheduling`` does the work, off the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime
from typing import Any, Callable, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions import repairs
from actions.runtime import TIMEZONE_SLOT, latest_intent, services, store_call, tracker_answers, visitor_language
from bot.conversation.phrases import phrase
from bot.errors import StoreError
from bot.languages import DEFAULT_LANGUAGE
from bot.metrics import CALENDAR_ERRORS
from bot.playbook import Parser
from bot.routing.log import DECLINED, MANUAL
from bot.scheduling.chat_booking import NotBookable
from bot.scheduling.picks import choice_payload, chosen_slot
from bot.scheduling.scheduler import OfferedSlot
from bot.scheduling.zones import country_timezone, parse_timezone, slot_label, time_label, zone_label
from bot.visit import valid_timezone
from calendar_booking.booking import Booking
from calendar_booking.errors import BookingError, CalendarUnavailable, SlotNotOffered, SlotTaken

logger = logging.getLogger(__name__)

STAGE_SLOT = "booking_stage"
OFFER_SLOT = "offered_slots"
OFFER_FROM_SLOT = "offer_from"
ROUTE_SLOT = "route_decision"
BOOKING_SLOT = "booking_id"
TIMEZONE_ANSWER_SLOT = "timezone_answer"
TIMEZONE_REASKED_SLOT = "timezone_reasked"
PICK_SLOT = "slot_pick"
PREFERRED_TIMES_SLOT = "preferred_times"
FAILURES_SLOT = "booking_failures"
#: After this many failed calendar calls in a row, the visitor's times in words go to a person.
MAX_BOOKING_FAILURES = 2

#: What ``slot_pick`` holds once the form is done with it.
BOOKED, NONE_SUIT, DECLINED_PICK = "booked", "none", "declined"
#: Intents that end the offer without a meeting.
DECLINE_INTENTS = frozenset({"deny", "stop", "goodbye"})
DECLINE_CONFIDENCE = 0.6


# -- reading the tracker ----------------------------------------------------------------


def visitor_zone(tracker: Tracker) -> str | None:
    """The widget's browser zone, else the zone of the country the visitor
    named when that country keeps one time."""
    zone = valid_timezone(tracker.get_slot(TIMEZONE_SLOT))
    if zone:
        return zone
    country = tracker_answers(tracker).by_parser(Parser.COUNTRY)
    return country_timezone(country.country_code, services().clock.now()) if country.given else None


def _ae_name(key: str | None, language: str = DEFAULT_LANGUAGE) -> str:
    ae = services().team.by_key.get(key or "")
    return ae.name if ae else phrase("our_team", language)


def _ae_first_name(key: str | None, language: str = DEFAULT_LANGUAGE) -> str:
    """The AE's first name ("Oliver"), or the whole of "our team" when nobody is named."""
    ae = services().team.by_key.get(key or "")
    return ae.name.split()[0] if ae and ae.name.split() else phrase("our_team", language)


def _offered(tracker: Tracker) -> List[OfferedSlot]:
    """The times the tracker says were offered: only to read the visitor's pick; a pick
    is booked only if our own records show it was offered (ChatBooking.book)."""
    return [s for s in (OfferedSlot.from_slot(v) for v in tracker.get_slot(OFFER_SLOT) or []) if s is not None]


async def repaired_if_unbookable[T](tracker: Tracker, call: Callable[..., T], *args: Any) -> T:
    """Runs a booking call; when our records hold no CQL lead for the conversation, brings
    the lead store level with the tracker (a write may have failed) and tries once more."""
    try:
        return await asyncio.to_thread(call, *args)
    except NotBookable:
        if not await repairs.repair(tracker.sender_id, tracker.events):
            raise
    return await asyncio.to_thread(call, *args)


def visitor_email(tracker: Tracker) -> str | None:
    """The email the visitor gave, for what the bot says back (booking reads the lead store's)."""
    return tracker_answers(tracker).by_parser(Parser.EMAIL).email_address


# -- the form ------------------------------------------------------------------------------


class ActionAskSlotPick(Action):
    """Shows the next times (routing the lead the first time), or, when nobody
    is free, says so and asks for times in words."""

    def name(self) -> str:
        return "action_ask_slot_pick"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        svc = services()
        zone = visitor_zone(tracker) or "UTC"
        events: List[EventType] = [SlotSet(TIMEZONE_SLOT, zone)]
        after = _offer_from(tracker.get_slot(OFFER_FROM_SLOT))
        booking = svc.chat_booking
        try:
            decision, free = await repaired_if_unbookable(tracker, booking.decision, tracker.sender_id)
            events.append(SlotSet(ROUTE_SLOT, decision.to_slot()))
            offer = await asyncio.to_thread(booking.offer, tracker.sender_id, decision, zone, after, free)
        except (NotBookable, StoreError):
            logger.warning("no booking for %s: our records hold no CQL lead or routing for it", tracker.sender_id)
            dispatcher.utter_message(response="utter_cannot_book_here")
            return events + self._ask_in_words(dispatcher)
        except CalendarUnavailable:
            logger.exception("offering times to %s failed", tracker.sender_id)
            CALENDAR_ERRORS.labels(step="offer", error="unavailable").inc()
            dispatcher.utter_message(response="utter_calendar_down")
            return events + self._ask_in_words(dispatcher)
        if not offer.slots:
            dispatcher.utter_message(
                response="utter_no_more_times" if after else "utter_nobody_available",
                horizon_days=svc.booking.meeting.horizon_days,
            )
            return events + self._ask_in_words(dispatcher)
        language = visitor_language(tracker)
        names = sorted({_ae_name(key, language) for key in offer.aes})
        buttons = [
            {"title": slot_label(slot.start, zone, language), "payload": choice_payload(slot)} for slot in offer.slots
        ] + [
            {"title": phrase("other_times", language), "payload": "/other_times"},
            {"title": phrase("none_work", language), "payload": "/no_slot_works"},
        ]
        dispatcher.utter_message(
            response="utter_offer_times",
            ae_name=f" {phrase('or', language)} ".join(names) if len(names) <= 2 else phrase("our_team", language),
            zone=zone_label(zone, offer.slots[0].start),
            buttons=buttons,
        )
        return events + [SlotSet(STAGE_SLOT, "offering"), SlotSet(OFFER_SLOT, [s.to_slot() for s in offer.slots])]

    @staticmethod
    def _ask_in_words(dispatcher: CollectingDispatcher) -> List[EventType]:
        dispatcher.utter_message(response="utter_ask_preferred_times")
        return [SlotSet(PICK_SLOT, NONE_SUIT), SlotSet(REQUESTED_SLOT, PREFERRED_TIMES_SLOT)]


_OTHERS = re.compile(r"\?|\b(instead|other|others|else|another|different|later|earlier|any|anything|more|next)\b", re.I)


def _asks_for_others(text: str) -> bool:
    """Whether the message asks for other times rather than naming one: "anything later?"."""
    return bool(_OTHERS.search(text))


def _offer_from(raw: Any) -> datetime | None:
    """Where "other times" goes on from; anything but an aware time is ignored."""
    try:
        after = datetime.fromisoformat(raw) if isinstance(raw, str) and len(raw) <= 40 else None
    except ValueError:
        return None
    return after if after is not None and after.tzinfo is not None else None


class ValidateBookingForm(FormValidationAction):
    """Understands the time zone, books the pick, and keeps times in words."""

    def name(self) -> str:
        return "validate_booking_form"

    async def required_slots(
        self, domain_slots: List[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[str]:
        slots = [] if visitor_zone(tracker) else [TIMEZONE_ANSWER_SLOT]
        slots.append(PICK_SLOT)
        if tracker.get_slot(PICK_SLOT) == NONE_SUIT:
            slots.append(PREFERRED_TIMES_SLOT)
        return slots

    async def validate_timezone_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = str(value or "")[:80]
        zone = parse_timezone(text)
        if zone:
            return {TIMEZONE_ANSWER_SLOT: text, TIMEZONE_SLOT: zone}
        if tracker.get_slot(TIMEZONE_REASKED_SLOT):
            dispatcher.utter_message(response="utter_timezone_fallback")
            return {TIMEZONE_ANSWER_SLOT: text, TIMEZONE_SLOT: "UTC"}
        dispatcher.utter_message(response="utter_timezone_hint")
        return {TIMEZONE_ANSWER_SLOT: None, TIMEZONE_REASKED_SLOT: True}

    async def validate_slot_pick(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = str(value or "")
        if text in (BOOKED, NONE_SUIT, DECLINED_PICK):
            return {PICK_SLOT: text}  # set by this form or its ask action
        intent = tracker.latest_message.get("intent") or {}
        name, confidence = intent.get("name"), intent.get("confidence") or 0.0
        offered = _offered(tracker)
        zone = valid_timezone(tracker.get_slot(TIMEZONE_SLOT)) or "UTC"
        if name == "other_times" and not _asks_for_others(text) and (pick := chosen_slot(text, offered, zone)):
            return await self._book(pick, dispatcher, tracker, zone)  # "thursday 9am 👍" names an offered time
        if text.strip() == "/other_times" or name == "other_times":
            last = max((s.start for s in offered), default=None)
            return {PICK_SLOT: None, OFFER_FROM_SLOT: last.isoformat() if last else None}
        if text.strip() == "/no_slot_works" or name == "no_slot_works":
            return {PICK_SLOT: NONE_SUIT}
        if name in ("request_demo", "change_booking"):
            return {PICK_SLOT: None}  # "I want a meeting" / "another time": these times are how
        pick = chosen_slot(text, offered, zone)
        if pick is None:
            if name in DECLINE_INTENTS and confidence >= DECLINE_CONFIDENCE:
                return {PICK_SLOT: DECLINED_PICK, STAGE_SLOT: "declined"}
            new_zone = parse_timezone(text)
            if new_zone and new_zone != zone:
                return {PICK_SLOT: None, TIMEZONE_SLOT: new_zone}
            dispatcher.utter_message(response="utter_pick_unclear")
            return {PICK_SLOT: None}
        return await self._book(pick, dispatcher, tracker, zone)

    async def _book(
        self, pick: OfferedSlot, dispatcher: CollectingDispatcher, tracker: Tracker, zone: str
    ) -> Dict[str, Any]:
        booking_service = services().chat_booking
        language = visitor_language(tracker)
        try:
            booking = await repaired_if_unbookable(tracker, booking_service.book, tracker.sender_id, pick, zone)
        except (NotBookable, StoreError):
            logger.warning("no booking for %s: our records hold no CQL lead or routing for it", tracker.sender_id)
            dispatcher.utter_message(response="utter_cannot_book_here")
            return {PICK_SLOT: NONE_SUIT}
        except SlotNotOffered:
            logger.warning("a pick of %s named a time it was not offered", tracker.sender_id)
            CALENDAR_ERRORS.labels(step="book", error="not_offered").inc()
            dispatcher.utter_message(response="utter_slot_gone", when=slot_label(pick.start, zone, language))
            return {PICK_SLOT: None, OFFER_FROM_SLOT: None}
        except SlotTaken:
            CALENDAR_ERRORS.labels(step="book", error="slot_taken").inc()
            dispatcher.utter_message(response="utter_slot_taken", when=slot_label(pick.start, zone, language))
            return {PICK_SLOT: None, OFFER_FROM_SLOT: None}
        except CalendarUnavailable:
            logger.exception("booking for %s failed", tracker.sender_id)
            CALENDAR_ERRORS.labels(step="book", error="unavailable").inc()
            failures = int(tracker.get_slot(FAILURES_SLOT) or 0) + 1
            if failures >= MAX_BOOKING_FAILURES:  # don't keep the visitor tapping: a person books instead
                dispatcher.utter_message(
                    response="utter_booking_failed_again", ae_name=_ae_first_name(pick.ae, language)
                )
                return {PICK_SLOT: NONE_SUIT, FAILURES_SLOT: failures}
            dispatcher.utter_message(response="utter_booking_failed", ae_name=_ae_first_name(pick.ae, language))
            return {PICK_SLOT: None, FAILURES_SLOT: failures}
        previous = tracker.get_slot(BOOKING_SLOT)
        if isinstance(previous, str) and previous != booking.id:
            await _cancel_replaced(tracker.sender_id, previous)
        return {
            PICK_SLOT: BOOKED,
            BOOKING_SLOT: booking.id,
            STAGE_SLOT: "booked",
            OFFER_SLOT: None,
            FAILURES_SLOT: None,
        }

    async def validate_preferred_times(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        intent = tracker.latest_message.get("intent") or {}
        if intent.get("name") in DECLINE_INTENTS and (intent.get("confidence") or 0.0) >= DECLINE_CONFIDENCE:
            return {PREFERRED_TIMES_SLOT: None, PICK_SLOT: DECLINED_PICK, STAGE_SLOT: "declined"}  # "no thanks"
        text = " ".join(str(value or "").split())[:1000]
        return {PREFERRED_TIMES_SLOT: text or None}


async def _cancel_replaced(sender_id: str, booking_id: str) -> None:
    """A visitor who changed their mind and picked anew: the old meeting goes (only
    one this conversation booked: the booking id in the tracker is not trusted)."""
    try:
        await asyncio.to_thread(services().chat_booking.cancel_replaced, sender_id, booking_id)
    except BookingError:
        logger.exception("cancelling the replaced booking %s of %s failed", booking_id[:40], sender_id)


# -- after the form --------------------------------------------------------------------------


class ActionBookingOutcome(Action):
    """Says what the booking form came to: booked, a person will book, or declined."""

    def name(self) -> str:
        return "action_booking_outcome"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        svc = services()
        outcome = tracker.get_slot(PICK_SLOT)
        decision = await store_call(svc.routing_log.latest_decision, tracker.sender_id)
        language = visitor_language(tracker)
        ae_name = _ae_name(decision.ae if decision else None, language)
        if outcome == BOOKED:
            booking = await asyncio.to_thread(
                svc.chat_booking.booking, tracker.sender_id, tracker.get_slot(BOOKING_SLOT)
            )
            if booking is not None and booking.active:
                confirm(dispatcher, booking, tracker)
                return [SlotSet(STAGE_SLOT, "booked")]
        if outcome == DECLINED_PICK:
            await store_call(svc.routing_log.record_request, tracker.sender_id, DECLINED, decision)
            dispatcher.utter_message(
                response="utter_meeting_declined", ae_name=_ae_first_name(decision.ae if decision else None, language)
            )
            return [SlotSet(STAGE_SLOT, "declined")]
        preferred = tracker.get_slot(PREFERRED_TIMES_SLOT)
        await store_call(
            svc.routing_log.record_request,
            tracker.sender_id,
            MANUAL,
            decision,
            preferred if isinstance(preferred, str) else None,
        )
        dispatcher.utter_message(
            response="utter_manual_booking",
            ae_name=ae_name if decision and decision.ae else phrase("someone_from_our_team", language),
            email=visitor_email(tracker) or phrase("your_email", language),
        )
        return [SlotSet(STAGE_SLOT, "waiting")]


def confirm(dispatcher: CollectingDispatcher, booking: Booking, tracker: Tracker) -> None:
    """The confirmation: the time in the visitor's zone, the AE, what to expect."""
    zone = valid_timezone(booking.visitor_timezone) or valid_timezone(tracker.get_slot(TIMEZONE_SLOT)) or "UTC"
    language = visitor_language(tracker)
    links = services().links
    extra = (
        phrase("manage_links", language).format(manage=links.manage_url(booking.id), ics=links.ics_url(booking.id))
        if links
        else ""
    )
    dispatcher.utter_message(
        response="utter_booked_invite" if booking.meet_link or booking.invites_sent else "utter_booked",
        when=f"{slot_label(booking.start, zone, language)}–{time_label(booking.end, zone, language)}",
        zone=zone_label(zone, booking.start),
        ae_name=_ae_name(booking.host_key, language),
        ae_first=_ae_first_name(booking.host_key, language),
        email=booking.attendee_email or phrase("you", language),
        minutes=int((booking.end - booking.start).total_seconds() // 60),
        links=extra,
    )


class ActionRestartBooking(Action):
    """A CQL asks for a meeting again, or to change theirs: the booking form
    starts over (a booked meeting stays until a new time is booked)."""

    def name(self) -> str:
        return "action_restart_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        booked = tracker.get_slot(PICK_SLOT) == BOOKED
        if booked and latest_intent(tracker) != "change_booking":
            return []  # the form ends at once and confirms the meeting they have
        if booked:
            dispatcher.utter_message(response="utter_reschedule_intro")
        return [
            SlotSet(PICK_SLOT, None),
            SlotSet(PREFERRED_TIMES_SLOT, None),
            SlotSet(OFFER_FROM_SLOT, None),
            SlotSet(OFFER_SLOT, None),
            SlotSet(FAILURES_SLOT, None),
        ]
