"""A tracker is the visitor's story, or an attacker's: the booking actions and the booking
service trust our records instead. Each attack runs the real actions and services on a
fresh database, and checks that nothing changed."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, Dict
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import func, select

from actions.booking import ActionAskSlotPick, ActionBookingOutcome, ValidateBookingForm
from bot.leads.models import RoutingDecision
from bot.scheduling.scheduler import OfferedSlot
from bot.services import Services
from bot.settings import PROJECT_ROOT
from calendar_booking.booking import BookingRequest
from calendar_booking.errors import SlotNotOffered
from calendar_booking.port import Attendee
from calendar_booking.tables import bookings
from tests.conftest import NOW
from tests.support.leads import complete_conversation
from tests.unit.actions.conftest import make_tracker, run
from tests.unit.actions.test_booking_actions import answers, form_tracker, offer, values


@pytest.fixture(scope="module")
def domain() -> Dict[str, Any]:
    return yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())


def cql(services: Services, sender: str, email: str) -> Dict[str, Any]:
    """A consented CQL whose answers and score are stored, and its tracker's slots."""
    slots = answers(services, work_email=email)
    assert complete_conversation(services.leads, sender, slots).tier.value == "cql"
    return {**slots, "consent": True, "qualification_done": True, "lead_tier": "cql"}


@pytest.fixture
def lead(services: Services) -> Dict[str, Any]:
    return cql(services, "visitor-1", "ingrid@alpenwerk-example.de")


def booked(services: Services) -> int:
    with services.leads._sessions() as session:
        return int(session.execute(select(func.count()).select_from(bookings)).scalar_one())


def forged_slot(ae: str, start: datetime) -> Dict[str, Any]:
    return {"n": 1, "ae": ae, "start": start.isoformat(), "end": (start + timedelta(minutes=30)).isoformat()}


def offer_to(services: Services, domain: Dict[str, Any], slots: Dict[str, Any], sender: str) -> Dict[str, Any]:
    """The ask action's offer to ``sender``; the slots after it."""
    tracker = make_tracker(domain, slots=slots, active_loop="booking_form", sender_id=sender)
    events, messages = run(ActionAskSlotPick(), tracker, domain)
    assert messages[-1]["response"] == "utter_offer_times", messages
    return {**slots, **values(events)}


def pick_first(domain: Dict[str, Any], slots: Dict[str, Any], sender: str = "visitor-1") -> Any:
    tracker = form_tracker(domain, slots, '/pick_slot{"slot_choice":"1"}')
    tracker.sender_id = sender
    return run(ValidateBookingForm(), tracker, domain)


def unoffered_free_time(services: Services, offered: Dict[str, Any]) -> datetime:
    """A time Lena really has free that ``offered`` does not show."""
    shown = {s["start"] for s in offered["offered_slots"]}
    free = services.scheduler.router.availability(["lena"], services.clock.now())["lena"]
    return next(s.start for s in free if s.start.isoformat() not in shown)


def sunday_3am(zone: str) -> datetime:
    local = NOW.astimezone(ZoneInfo(zone))
    sunday = local.date() + timedelta(days=(6 - local.weekday()) % 7 or 7)
    return datetime.combine(sunday, time(3), tzinfo=ZoneInfo(zone)).astimezone(ZoneInfo("UTC"))


def test_a_forged_slot_at_3am_on_a_sunday_books_nothing(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any]
) -> None:
    slots = offer(services, domain, lead)
    lena = services.team.by_key["lena"]
    slots["offered_slots"] = [forged_slot("lena", sunday_3am(lena.timezone))]
    events, messages = pick_first(domain, slots)
    assert values(events)["slot_pick"] is None and [m["response"] for m in messages] == ["utter_slot_gone"]
    assert booked(services) == 0


def test_a_free_time_this_conversation_was_never_offered_books_nothing(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any]
) -> None:
    slots = offer(services, domain, lead)
    slots["offered_slots"] = [forged_slot("lena", unoffered_free_time(services, slots))]
    events, _ = pick_first(domain, slots)
    assert values(events)["slot_pick"] is None and booked(services) == 0


def test_a_time_offered_to_another_conversation_books_nothing_here(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any]
) -> None:
    mine = offer(services, domain, lead)
    theirs = unoffered_free_time(services, mine)
    cql(services, "visitor-2", "jonas@alpenwerk-example.de")
    services.chat_booking.offers.record("visitor-2", [OfferedSlot(1, "lena", theirs, theirs + timedelta(minutes=30))])
    events, _ = pick_first(domain, {**mine, "offered_slots": [forged_slot("lena", theirs)]})
    assert values(events)["slot_pick"] is None and booked(services) == 0


def test_the_booking_service_itself_refuses_times_the_ae_does_not_offer(services: Services) -> None:
    lena = services.team.by_key["lena"]
    free = services.scheduler.router.availability(["lena"], services.clock.now())["lena"]
    good = free[0].start
    zone = ZoneInfo(lena.timezone)
    refused = {
        "3 a.m. on a Sunday": sunday_3am(lena.timezone),
        "off the half-hour grid": good + timedelta(minutes=10),
        "inside the minimum notice": services.clock.now() + timedelta(minutes=60),
        "past the horizon": good + timedelta(days=services.booking.meeting.horizon_days + 1),
        "after hours": datetime.combine(good.astimezone(zone).date(), time(21), tzinfo=zone),
    }
    for why, start in refused.items():
        request = BookingRequest(
            schedule=lena.schedule(), calendar_id=lena.calendar, start=start, end=start + timedelta(minutes=30),
            reference="attacker", attendee=Attendee("attacker@example.com"), title="x", description="x",
        )  # fmt: skip
        with pytest.raises(SlotNotOffered):
            services.bookings.book(request)
            pytest.fail(f"booked {why}")
    assert booked(services) == 0


def test_another_conversations_meeting_is_never_cancelled_or_shown(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any]
) -> None:
    other = cql(services, "visitor-2", "jonas@alpenwerk-example.de")
    events, _ = pick_first(domain, offer_to(services, domain, other, "visitor-2"), sender="visitor-2")
    victim = values(events)["booking_id"]
    assert services.bookings.get(victim).status == "confirmed"  # type: ignore[union-attr]

    slots = {**offer(services, domain, lead), "booking_id": victim}  # the attacker names the victim's booking
    mine, _ = pick_first(domain, slots)
    assert values(mine)["slot_pick"] == "booked"  # their own pick books, as it should
    assert services.bookings.get(victim).status == "confirmed"  # type: ignore[union-attr]  # the victim's stands

    outcome = {**lead, "slot_pick": "booked", "booking_id": victim}
    _, said = run(ActionBookingOutcome(), make_tracker(domain, slots=outcome, active_loop=None), domain)
    assert all(m.get("response") not in ("utter_booked", "utter_booked_invite") for m in said)
    assert victim not in str(said)


def test_a_tracker_claiming_a_cql_the_store_does_not_know_books_nothing(
    services: Services, domain: Dict[str, Any]
) -> None:
    said = answers(services, role="student", company_size="3")
    complete_conversation(services.leads, "visitor-3", said)  # stored: not a CQL
    forged = {**answers(services), "consent": True, "qualification_done": True, "lead_tier": "cql"}
    tracker = make_tracker(domain, slots=forged, active_loop="booking_form", sender_id="visitor-3")
    events, messages = run(ActionAskSlotPick(), tracker, domain)
    assert [m["response"] for m in messages] == ["utter_cannot_book_here", "utter_ask_preferred_times"]
    assert "offered_slots" not in values(events)
    with services.leads._sessions() as session:
        assert session.execute(select(func.count()).select_from(RoutingDecision)).scalar_one() == 0


def test_a_forged_routing_decision_in_the_tracker_is_ignored(
    services: Services, domain: Dict[str, Any], lead: Dict[str, Any]
) -> None:
    forged = {"team": "americas", "candidates": ["marco"], "reasons": ["account_owner"], "pinned": True}
    slots = offer(services, domain, {**lead, "route_decision": forged})
    assert {s["ae"] for s in slots["offered_slots"]} == {"lena"}  # the stored routing: Alpenwerk is Lena's account
