"""The booking form's actions, with the real services on a fresh database:
offer, pick, other times, a taken slot, none suit, a decline, the zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Dict, List

import pytest
from sqlalchemy import select

from actions.booking import (
    ActionAskSlotPick,
    ActionBookingOutcome,
    ActionRestartBooking,
    ValidateBookingForm,
)
from bot.clock import FixedClock
from bot.db import make_engine
from bot.leads.models import MeetingRequest, RoutingDecision
from bot.qualification.understand import understand
from bot.services import Services
from calendar_booking.errors import CalendarUnavailable
from calendar_booking.local import LocalCalendar
from calendar_booking.port import CreatedEvent, EventRequest
from tests.conftest import NOW
from tests.support.leads import complete_conversation
from tests.unit.actions.conftest import make_tracker, run, user_event

SAID = dict(use_case="we lose inbound leads after hours", full_name="Ingrid Bauer", work_email="ingrid@alpenwerk-example.de",
            company="Alpenwerk", role="CFO", company_size="3,500", timeline="next 8 weeks", budget="approved",
            country="Germany")  # fmt: skip


def answers(services: Services, **changes: str) -> Dict[str, Any]:
    said = {**SAID, **changes}
    return {slot: understand(services.playbook.question(slot).parser, text, NOW.date()) for slot, text in said.items()}  # type: ignore[union-attr]


@pytest.fixture
def lead(services: Services) -> Dict[str, Any]:
    """A consented CQL whose answers and score are stored, as after the qualification form."""
    slots = answers(services)
    assert complete_conversation(services.leads, "visitor-1", slots).tier.value == "cql"
    return {**slots, "consent": True, "qualification_done": True, "lead_tier": "cql"}


def form_tracker(
    domain: Dict[str, Any], slots: Dict[str, Any], text: str, intent: str = "pick_slot", requested: str = "slot_pick"
) -> Any:
    return make_tracker(
        domain, slots={**slots, "requested_slot": requested, requested: text}, said=[user_event(text, intent)],
        active_loop="booking_form", after_user=[{"event": "slot", "name": requested, "value": text}],
    )  # fmt: skip


def values(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def offer(services: Services, domain: Dict[str, Any], slots: Dict[str, Any]) -> Dict[str, Any]:
    """Runs the ask action; returns the slots after it."""
    events, messages = run(ActionAskSlotPick(), make_tracker(domain, slots=slots, active_loop="booking_form"), domain)
    assert messages[-1]["response"] == "utter_offer_times", messages
    return {**slots, **values(events)}


def test_the_offer_shows_times_in_the_visitors_zone_with_a_way_out(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any]
) -> None:
    events, messages = run(ActionAskSlotPick(), make_tracker(domain, slots=lead, active_loop="booking_form"), domain)
    [message] = messages
    titles = [b["title"] for b in message["buttons"]]
    assert titles[-2:] == ["Other times", "None of these work"]
    assert 3 <= len(titles) - 2 <= 5
    first = values(events)["offered_slots"][0]
    epoch = int(datetime.fromisoformat(first["start"]).timestamp())
    assert message["buttons"][0]["payload"] == f'/pick_slot{{"slot_choice":"1:{epoch}"}}'
    text = domain["responses"]["utter_offer_times"][0]["text"].format(
        **{k: v for k, v in message.items() if isinstance(v, str)}
    )
    assert (
        "{" not in text and "Europe/Berlin" in text and "Lena Hoffmann" in text
    )  # Germany: one zone; the account rules
    slots = values(events)
    assert slots["visitor_timezone"] == "Europe/Berlin" and slots["booking_stage"] == "offering"
    assert len(slots["offered_slots"]) == len(titles) - 2
    with services.leads._sessions() as session:  # the decision is stored with its reasons
        [decision] = session.execute(select(RoutingDecision)).scalars().all()
    assert decision.team == "enterprise_emea" and decision.reasons[0] == "rule:emea_enterprise"


def test_required_slots_ask_the_zone_only_when_unknown(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any]
) -> None:
    import asyncio

    from rasa_sdk.executor import CollectingDispatcher

    form = ValidateBookingForm()

    def required(slots: Dict[str, Any]) -> List[str]:
        tracker = make_tracker(domain, slots=slots, active_loop="booking_form")
        return asyncio.run(form.required_slots([], CollectingDispatcher(), tracker, domain))

    assert required(lead) == ["slot_pick"]  # Germany keeps one time
    brazil = {**lead, "country": answers(services, country="Brazil")["country"]}
    assert required(brazil) == ["timezone_answer", "slot_pick"]
    assert required({**brazil, "visitor_timezone": "America/Sao_Paulo"}) == ["slot_pick"]
    assert required({**lead, "slot_pick": "none"}) == ["slot_pick", "preferred_times"]


@pytest.mark.parametrize(
    ("said", "zone"), [("ist", "Asia/Kolkata"), ("I'm in São Paulo", None), ("America/Sao_Paulo", "America/Sao_Paulo")]
)
def test_the_zone_is_understood(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any], said: str, zone: str | None
) -> None:
    brazil = {**lead, "country": answers(services, country="Brazil")["country"]}  # several zones: the form asks
    events, messages = run(
        ValidateBookingForm(), form_tracker(domain, brazil, said, "inform", "timezone_answer"), domain
    )
    got = values(events)
    if zone:
        assert got["visitor_timezone"] == zone and messages == []
    else:
        assert got["timezone_answer"] is None and [m["response"] for m in messages] == ["utter_timezone_hint"]


def test_an_unknown_zone_twice_falls_back_to_utc_and_says_so(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any]
) -> None:
    brazil = {**lead, "country": answers(services, country="Brazil")["country"], "timezone_reasked": True}
    tracker = form_tracker(domain, brazil, "somewhere nice", "inform", "timezone_answer")
    events, messages = run(ValidateBookingForm(), tracker, domain)
    assert values(events)["visitor_timezone"] == "UTC"
    assert [m["response"] for m in messages] == ["utter_timezone_fallback"]


def test_a_tapped_time_is_booked_and_confirmed(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any]
) -> None:
    slots = offer(services, domain, lead)
    events, messages = run(ValidateBookingForm(), form_tracker(domain, slots, '/pick_slot{"slot_choice":"2"}'), domain)
    got = values(events)
    assert got["slot_pick"] == "booked" and messages == []
    booking = services.bookings.get(got["booking_id"])
    assert booking is not None and booking.start.isoformat() == slots["offered_slots"][1]["start"]
    assert booking.reference == "visitor-1" and booking.attendee_email == SAID["work_email"]
    _, said = run(ActionBookingOutcome(), make_tracker(domain, slots={**slots, **got}, active_loop=None), domain)
    [confirmation] = said
    assert confirmation["response"] == "utter_booked" and confirmation["ae_name"] == "Lena Hoffmann"
    text = domain["responses"]["utter_booked"][0]["text"].format(**{k: str(v) for k, v in confirmation.items()})
    assert "You're booked!" in text and "Europe/Berlin" in text and SAID["work_email"] in text and "{" not in text


def test_a_typed_time_is_understood(services: Services, domain: Dict[str, Any], lead: Dict[str, Any]) -> None:
    slots = offer(services, domain, lead)
    second = slots["offered_slots"][1]
    events, _ = run(ValidateBookingForm(), form_tracker(domain, slots, "the second one please", "inform"), domain)
    assert services.bookings.get(values(events)["booking_id"]).start.isoformat() == second["start"]  # type: ignore[union-attr]


def test_an_offered_time_named_is_booked_even_when_read_as_asking_for_others(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any]
) -> None:
    slots = offer(services, domain, lead)
    second = slots["offered_slots"][1]
    events, _ = run(ValidateBookingForm(), form_tracker(domain, slots, "the second one 👍", "other_times"), domain)
    assert services.bookings.get(values(events)["booking_id"]).start.isoformat() == second["start"]  # type: ignore[union-attr]
    events, _ = run(
        ValidateBookingForm(), form_tracker(domain, slots, "any other than the second one?", "other_times"), domain
    )
    assert "booking_id" not in values(events) and values(events)["offer_from"]


def test_a_slot_taken_meanwhile_gets_fresh_times(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any]
) -> None:
    slots = offer(services, domain, lead)
    run(
        ValidateBookingForm(), form_tracker(domain, slots, '/pick_slot{"slot_choice":"1"}', "pick_slot"), domain
    )  # another visitor
    events, messages = run(ValidateBookingForm(), form_tracker(domain, slots, '/pick_slot{"slot_choice":"1"}'), domain)
    got = values(events)
    assert got["slot_pick"] is None and "booking_id" not in got
    assert [m["response"] for m in messages] == ["utter_slot_taken"]


@pytest.mark.parametrize(
    "said", ['/pick_slot{"slot_choice":"99"}', '/pick_slot{"slot_choice":"1; DROP TABLE bookings"}', "x" * 5000]
)
def test_an_unknown_or_hostile_pick_books_nothing(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any], said: str
) -> None:
    slots = offer(services, domain, lead)
    events, messages = run(ValidateBookingForm(), form_tracker(domain, slots, said, "inform"), domain)
    assert values(events) == {"slot_pick": None, "requested_slot": "slot_pick"}  # asked again: the times come back
    assert [m["response"] for m in messages] == ["utter_pick_unclear"]
    assert services.bookings.for_reference("visitor-1") == []


def test_a_button_left_from_an_earlier_offer_books_nothing(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any]
) -> None:
    slots = offer(services, domain, lead)
    stale = int(datetime.fromisoformat(slots["offered_slots"][1]["start"]).timestamp()) - 86400
    events, messages = run(
        ValidateBookingForm(), form_tracker(domain, slots, f'/pick_slot{{"slot_choice":"2:{stale}"}}'), domain
    )
    assert values(events)["slot_pick"] is None and [m["response"] for m in messages] == ["utter_pick_unclear"]
    assert services.bookings.for_reference("visitor-1") == []


def test_other_times_pages_past_the_last_offered(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any]
) -> None:
    slots = offer(services, domain, lead)
    events, _ = run(ValidateBookingForm(), form_tracker(domain, slots, "/other_times", "other_times"), domain)
    got = values(events)
    assert got["offer_from"] == max(s["start"] for s in slots["offered_slots"])
    later = offer(services, domain, {**slots, **got})
    assert min(s["start"] for s in later["offered_slots"]) > got["offer_from"]


def test_a_new_zone_typed_at_the_offer_re_offers_in_it(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any]
) -> None:
    slots = offer(services, domain, lead)
    events, _ = run(ValidateBookingForm(), form_tracker(domain, slots, "oh I'm in London actually", "inform"), domain)
    assert values(events) == {"slot_pick": None, "visitor_timezone": "Europe/London", "requested_slot": "slot_pick"}


def test_none_suit_then_times_in_words_go_to_a_person(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any]
) -> None:
    slots = offer(services, domain, lead)
    events, _ = run(ValidateBookingForm(), form_tracker(domain, slots, "/no_slot_works", "no_slot_works"), domain)
    assert values(events) == {"slot_pick": "none", "requested_slot": "preferred_times"}
    done = {**slots, "slot_pick": "none", "preferred_times": "Thursday afternoons <b>please</b>"}
    _, said = run(ActionBookingOutcome(), make_tracker(domain, slots=done, active_loop=None), domain)
    assert said[0]["response"] == "utter_manual_booking" and said[0]["email"] == SAID["work_email"]
    with services.leads._sessions() as session:
        [request] = session.execute(select(MeetingRequest)).scalars().all()
    assert (request.kind, request.preferred_times, request.team) == (
        "manual",
        "Thursday afternoons <b>please</b>",
        "enterprise_emea",
    )


def test_a_decline_is_kept_and_the_ae_follows_up(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any]
) -> None:
    slots = offer(services, domain, lead)
    events, _ = run(ValidateBookingForm(), form_tracker(domain, slots, "no thanks, not now", "deny"), domain)
    assert values(events)["slot_pick"] == "declined"
    _, said = run(
        ActionBookingOutcome(), make_tracker(domain, slots={**slots, **values(events)}, active_loop=None), domain
    )
    assert said[0]["response"] == "utter_meeting_declined"
    assert said[0]["ae_name"] in {ae.name.split()[0] for ae in services.team.by_key.values()}
    with services.leads._sessions() as session:
        assert [r.kind for r in session.execute(select(MeetingRequest)).scalars()] == ["declined"]


def test_a_lead_with_no_ae_hears_of_our_team_whole(services: Services, domain: Dict[str, Any]) -> None:
    tracker = make_tracker(domain, slots={"slot_pick": "declined", "language": "de"}, active_loop=None)
    _, said = run(ActionBookingOutcome(), tracker, domain)
    assert said[0]["response"] == "utter_meeting_declined"
    assert said[0]["ae_name"] == "unser Team"  # not "unser" (the first word), nor English


def test_a_change_of_mind_books_the_new_time_and_cancels_the_old(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any]
) -> None:
    slots = offer(services, domain, lead)
    events, _ = run(ValidateBookingForm(), form_tracker(domain, slots, '/pick_slot{"slot_choice":"1"}'), domain)
    first = values(events)["booking_id"]
    booked = {**slots, **values(events)}
    restart, said = run(
        ActionRestartBooking(),
        make_tracker(domain, slots=booked, said=[user_event("can I reschedule?", "change_booking")], active_loop=None),
        domain,
    )
    assert [m["response"] for m in said] == ["utter_reschedule_intro"]
    again = offer(services, domain, {**booked, **values(restart)})
    events, _ = run(ValidateBookingForm(), form_tracker(domain, again, '/pick_slot{"slot_choice":"2"}'), domain)
    assert services.bookings.get(first).status == "cancelled"  # type: ignore[union-attr]
    assert services.bookings.get(values(events)["booking_id"]).status == "confirmed"  # type: ignore[union-attr]


def test_asking_for_a_demo_when_booked_keeps_the_meeting(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any]
) -> None:
    booked = {**lead, "slot_pick": "booked", "booking_id": "abc"}
    events, said = run(
        ActionRestartBooking(),
        make_tracker(domain, slots=booked, said=[user_event("book a demo", "request_demo")], active_loop=None),
        domain,
    )
    assert events == [] and said == []  # the form ends at once and confirms the meeting they have


class DownCalendar(LocalCalendar):
    """The calendar answers reads but every insert fails, as in an outage."""

    def create_event(self, request: EventRequest) -> CreatedEvent:
        raise CalendarUnavailable("calendar down")


def test_a_calendar_outage_is_told_honestly_then_a_person_books(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any]
) -> None:
    services.bookings._calendar = DownCalendar(make_engine(services.settings.database_url), services.clock)
    slots = offer(services, domain, lead)
    events, messages = run(ValidateBookingForm(), form_tracker(domain, slots, "the first one", "inform"), domain)
    assert [m["response"] for m in messages] == ["utter_booking_failed"] and values(events)["slot_pick"] is None
    first_names = {ae.name.split()[0] for ae in services.team.by_key.values()}
    assert messages[0]["ae_name"] in first_names
    again = {**slots, **values(events)}
    events, messages = run(ValidateBookingForm(), form_tracker(domain, again, "the first one", "inform"), domain)
    assert [m["response"] for m in messages] == ["utter_booking_failed_again"]
    assert values(events)["slot_pick"] == "none" and values(events)["requested_slot"] == "preferred_times"
    assert [b.status for b in services.bookings.for_reference("visitor-1")] == [
        "released",
        "released",
    ]  # nothing half-booked


def test_no_thanks_when_asked_for_times_in_words_is_a_decline(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any]
) -> None:
    asked = {**offer(services, domain, lead), "slot_pick": "none"}
    events, _ = run(
        ValidateBookingForm(), form_tracker(domain, asked, "no thanks, not now", "deny", "preferred_times"), domain
    )
    got = values(events)
    assert (got["slot_pick"], got["preferred_times"]) == ("declined", None)
    assert got["requested_slot"] is None  # the form is done: the outcome says the AE follows up


def test_asking_to_reschedule_at_the_offer_just_shows_the_times(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any]
) -> None:
    slots = offer(services, domain, lead)
    events, messages = run(
        ValidateBookingForm(), form_tracker(domain, slots, "can I reschedule?", "change_booking"), domain
    )
    assert values(events)["slot_pick"] is None and messages == []


@pytest.mark.parametrize(("minutes_later", "books"), [(10, True), (25, False)])
def test_a_time_tapped_soon_after_the_offer_books_though_the_notice_passed_it(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any], clock: FixedClock, minutes_later: int, books: bool
) -> None:
    """The first time offered is at the edge of the minimum notice (240 minutes); a tap some minutes
    later books it while the offer is fresh, and gets fresh times with a fitting message after."""
    first = datetime.fromisoformat(offer(services, domain, lead)["offered_slots"][0]["start"])
    clock.at = first - timedelta(minutes=245)  # offered again, five minutes before the edge
    slots = offer(services, domain, lead)
    assert datetime.fromisoformat(slots["offered_slots"][0]["start"]) == first
    clock.at += timedelta(minutes=minutes_later)  # the notice now passes the start
    events, messages = run(ValidateBookingForm(), form_tracker(domain, slots, '/pick_slot{"slot_choice":"1"}'), domain)
    if books:
        assert values(events)["slot_pick"] == "booked", messages
    else:
        assert "booking_id" not in values(events)
        assert [m["response"] for m in messages] == ["utter_slot_gone"]
