"""Routing a CQL to an AE and booking the pick, over the shipped ops files:
on the local calendar, and the same flow on Google Calendar (the real client
over HttpMockSequence)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any, Dict, List, Tuple
from zoneinfo import ZoneInfo

import pytest
from googleapiclient.http import HttpMockSequence

from bot.clock import FixedClock
from bot.db import make_engine, make_session_factory
from bot.routing.log import RoutingLog
from bot.routing.router import Router
from bot.routing.rules import RoutingLead, load_routing
from bot.routing.team import Absence, load_team
from bot.scheduling.config import load_booking
from bot.scheduling.offers import OfferLog
from bot.scheduling.scheduler import LeadBrief, OfferedSlot, Scheduler
from bot.scheduling.zones import slot_label
from bot.settings import PROJECT_ROOT
from calendar_booking.availability import Interval
from calendar_booking.booking import BookingService, event_id_for
from calendar_booking.errors import SlotTaken
from calendar_booking.google import GoogleCalendar
from calendar_booking.local import LocalCalendar
from calendar_booking.port import Attendee, CalendarPort

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Monday
OPS = PROJECT_ROOT / "ops"
EMEA_BIG = RoutingLead({"region": "EMEA", "company_size": 3500, "email_domain": "example.de"})
OWNED = RoutingLead({"email_domain": "alpenwerk-gruppe.de", "region": "EMEA", "company_size": 3500})
BRIEF = LeadBrief(
    "Ingrid <Bauer>", "ingrid@example.de", "Alpenwerk", 85, "cql", ("CFO → +30",), "CFO · 3,500", "http://x/api/leads/1"
)
VISITOR = Attendee("ingrid@example.de", "Ingrid Bauer")


def build(database_url: str, calendar_for: Any = None) -> Tuple[Scheduler, BookingService, Any]:
    team = load_team(OPS / "team.yml")
    routing = load_routing(OPS / "routing.yml", team)
    config = load_booking(OPS / "booking.yml")
    engine = make_engine(database_url)
    clock = FixedClock(NOW)
    calendar: CalendarPort = calendar_for(team) if calendar_for else LocalCalendar(engine, clock)
    bookings = BookingService(engine, calendar, clock, config.rules)
    routing_log = RoutingLog(make_session_factory(engine), clock)
    router = Router(team, routing, config.rules, calendar, bookings, routing_log.open_offers)
    return (
        Scheduler(router, bookings, config, clock),
        bookings,
        calendar,
    )


@pytest.fixture
def local(database_url: str) -> Tuple[Scheduler, BookingService, LocalCalendar]:
    return build(database_url)  # type: ignore[return-value]


def test_a_big_emea_lead_goes_to_the_emea_team_with_reasons(
    local: Tuple[Scheduler, BookingService, LocalCalendar],
) -> None:
    scheduler, _, _ = local
    decision, free = scheduler.route(EMEA_BIG)
    assert decision.team == "enterprise_emea"
    assert decision.reasons[0] == "rule:emea_enterprise" and decision.reasons[-1] == f"picked:{decision.ae}"
    assert set(decision.candidates) == {"lena", "oliver"}
    assert free[decision.candidates[0]]


def test_an_account_owner_takes_their_accounts_leads(local: Tuple[Scheduler, BookingService, LocalCalendar]) -> None:
    scheduler, _, _ = local
    decision, _ = scheduler.route(OWNED)
    assert (decision.candidates, decision.pinned, decision.reasons) == (
        ("lena",),
        True,
        ("account_owner", "picked:lena"),
    )


def with_ae(scheduler: Scheduler, key: str, **changes: Any) -> None:
    """Edits one AE of the scheduler's team, as sales ops would in ops/team.yml."""
    team = scheduler.router.team
    scheduler.router.team = team.model_copy(
        update={"aes": [ae.model_copy(update=changes) if ae.key == key else ae for ae in team.aes]}
    )


def test_an_owner_out_of_office_falls_through_to_the_rules(database_url: str) -> None:
    scheduler, _, _ = build(database_url)
    with_ae(scheduler, "lena", out_of_office=[Absence(start=date(2026, 11, 1), end=date(2026, 12, 31))])
    decision, _ = scheduler.route(OWNED)
    assert decision.reasons[:2] == ("skipped:lena:out_of_office", "rule:emea_enterprise")
    assert "skipped:lena:out_of_office" in decision.reasons[2:]
    assert decision.candidates == ("oliver",) and not decision.pinned


def test_nobody_available_says_so(database_url: str) -> None:
    scheduler, _, _ = build(database_url)
    for key in ("lena", "oliver"):
        with_ae(scheduler, key, active=False)
    decision, _ = scheduler.route(EMEA_BIG)
    assert decision.candidates == ()
    assert decision.reasons == (
        "rule:emea_enterprise",
        "skipped:lena:inactive",
        "skipped:oliver:inactive",
        "nobody_available",
    )
    assert scheduler.offer(decision, "Europe/Berlin").slots == ()


def test_round_robin_moves_on_after_a_booking(local: Tuple[Scheduler, BookingService, LocalCalendar]) -> None:
    scheduler, _, _ = local
    first, free = scheduler.route(EMEA_BIG)
    offer = scheduler.offer(first, "Europe/Berlin", free=free)
    scheduler.book(first, offer.slots[0], VISITOR, BRIEF, "visitor-1", "Europe/Berlin")
    second, _ = scheduler.route(EMEA_BIG)
    assert second.ae != first.ae  # the other AE is now furthest below their share


def test_an_ae_at_the_daily_cap_is_skipped_for_that_day(database_url: str) -> None:
    scheduler, _, _ = build(database_url)
    with_ae(scheduler, "priya", max_meetings_per_day=1)
    apac = RoutingLead({"region": "APAC", "company_size": 120})
    decision, free = scheduler.route(apac)
    offer = scheduler.offer(decision, "Asia/Kolkata", free=free)
    pick = next(s for s in offer.slots if s.ae == "priya")
    scheduler.book(decision, pick, VISITOR, BRIEF, "v1", "Asia/Kolkata")
    day = pick.start.astimezone(ZoneInfo("Asia/Kolkata")).date()
    free_after = scheduler.router.availability(["priya"], NOW)["priya"]
    assert all(s.start.astimezone(ZoneInfo("Asia/Kolkata")).date() != day for s in free_after)


def test_offers_are_spread_in_the_visitors_zone(local: Tuple[Scheduler, BookingService, LocalCalendar]) -> None:
    scheduler, _, _ = local
    decision, free = scheduler.route(EMEA_BIG)
    offer = scheduler.offer(decision, "America/Los_Angeles", free=free)
    assert 3 <= len(offer.slots) <= 5
    days = {s.start.astimezone(ZoneInfo("America/Los_Angeles")).date() for s in offer.slots}
    assert len(days) >= 3
    later = scheduler.offer(decision, "America/Los_Angeles", after=offer.last_start)
    assert min(s.start for s in later.slots) > offer.last_start  # type: ignore[operator]


def test_teammates_times_join_when_the_routed_ae_is_busy_soon(
    local: Tuple[Scheduler, BookingService, LocalCalendar],
) -> None:
    scheduler, _, calendar = local
    decision, _ = scheduler.route(EMEA_BIG)
    busy_ae = scheduler.router.team.by_key[decision.candidates[0]]
    calendar.add_busy(busy_ae.calendar, [Interval(NOW, NOW + timedelta(days=5))], title="Offsite")
    offer = scheduler.offer(decision, "Europe/Berlin")
    assert {s.ae for s in offer.slots} == {decision.candidates[1]}


def test_a_teammate_stands_in_when_the_picked_slot_goes(local: Tuple[Scheduler, BookingService, LocalCalendar]) -> None:
    scheduler, _, calendar = local
    decision, free = scheduler.route(EMEA_BIG)
    first, second = decision.candidates
    common = sorted({s.start for s in free[first]} & {s.start for s in free[second]})[0]
    pick = OfferedSlot(1, first, common, common + timedelta(minutes=30))
    ae = scheduler.router.team.by_key[first]
    calendar.add_busy(ae.calendar, [Interval(common, common + timedelta(minutes=30))], title="Taken meanwhile")
    booking = scheduler.book(decision, pick, VISITOR, BRIEF, "visitor-1", "Europe/Berlin")
    assert (booking.host_key, booking.start) == (second, common)


def test_an_owners_taken_slot_is_not_given_to_a_teammate(
    local: Tuple[Scheduler, BookingService, LocalCalendar],
) -> None:
    scheduler, _, calendar = local
    decision, free = scheduler.route(OWNED)
    slot = free["lena"][0]
    calendar.add_busy(scheduler.router.team.by_key["lena"].calendar, [Interval(slot.start, slot.end)], title="Taken")
    with pytest.raises(SlotTaken):
        scheduler.book(decision, OfferedSlot(1, "lena", slot.start, slot.end), VISITOR, BRIEF, "v", "Europe/Berlin")


def test_the_event_text_escapes_the_visitors_words(local: Tuple[Scheduler, BookingService, LocalCalendar]) -> None:
    scheduler, _, calendar = local
    decision, free = scheduler.route(OWNED)
    slot = free["lena"][0]
    scheduler.book(decision, OfferedSlot(1, "lena", slot.start, slot.end), VISITOR, BRIEF, "v", "Europe/Berlin")
    [event] = calendar.events("lena.hoffmann@cqlbot.example", slot.start, slot.end)
    assert "Ingrid &lt;Bauer&gt;" in str(event["description"]) and "<Bauer>" not in str(event["description"])
    assert "CFO → +30" in str(event["description"]) and "http://x/api/leads/1" in str(event["description"])


# -- the same flow on Google Calendar ------------------------------------------------------


class GoogleStub:
    """Answers like Google Calendar for each AE's calendar, recording what was sent."""

    def __init__(self, busy: Dict[str, List[Dict[str, str]]]) -> None:
        self.busy = busy
        self.sent: List[Tuple[str, str, Dict[str, Any]]] = []

    def http_for(self, calendar_id: str) -> HttpMockSequence:
        stub = self

        class Recording(HttpMockSequence):
            def request(self, uri: str, method: str = "GET", body: Any = None, headers: Any = None, **kw: Any) -> Any:
                payload = json.loads(body) if body else {}
                stub.sent.append((method, uri, payload))
                if "freeBusy" in uri:
                    self._iterable = [
                        (
                            {"status": "200"},
                            json.dumps({"calendars": {calendar_id: {"busy": stub.busy.get(calendar_id, [])}}}),
                        )
                    ]
                else:
                    event = {
                        **payload,
                        "hangoutLink": "https://meet.google.com/abc-defg-hij",
                        "htmlLink": "https://calendar.google.com/e",
                    }
                    self._iterable = [({"status": "200"}, json.dumps(event))]
                return super().request(uri, method, body, headers, **kw)

        return Recording([])


def test_the_same_booking_flow_runs_on_google_calendar(database_url: str) -> None:
    stub = GoogleStub(
        {"lena.hoffmann@cqlbot.example": [{"start": "2026-11-24T08:00:00Z", "end": "2026-11-24T09:00:00Z"}]}
    )
    scheduler, bookings, _ = build(database_url, lambda team: GoogleCalendar(stub.http_for, sleep=lambda s: None))
    decision, free = scheduler.route(OWNED)
    assert decision.ae == "lena"
    offer = scheduler.offer(decision, "America/New_York", free=free)
    assert all(
        not (s.start < datetime(2026, 11, 24, 9, 10, tzinfo=UTC) and s.end > datetime(2026, 11, 24, 7, 55, tzinfo=UTC))
        for s in offer.slots
    )
    booking = scheduler.book(decision, offer.slots[0], VISITOR, BRIEF, "visitor-1", "America/New_York")
    assert booking.status == "confirmed" and booking.meet_link == "https://meet.google.com/abc-defg-hij"
    method, uri, body = stub.sent[-1]
    assert method == "POST" and "conferenceDataVersion=1" in uri and "sendUpdates=all" in uri
    assert body["id"] == event_id_for(booking.id)
    assert body["attendees"] == [{"email": "ingrid@example.de", "displayName": "Ingrid Bauer"}]
    assert body["conferenceData"]["createRequest"]["conferenceSolutionKey"] == {"type": "hangoutsMeet"}
    assert body["start"]["timeZone"] == "Europe/Berlin"
    assert datetime.fromisoformat(body["start"]["dateTime"]) == offer.slots[0].start
    assert "Ingrid &lt;Bauer&gt;" in body["description"]
    assert bookings.get(booking.id).active  # type: ignore[union-attr]
    assert slot_label(booking.start, "America/New_York")  # readable in the visitor's zone


def test_visitors_offered_times_at_the_same_moment_are_shared_by_weight_whatever_they_tap(
    database_url: str,
) -> None:
    """Twelve Americas visitors are all offered times before anyone books, and every one taps a
    time the lighter-weighted AE is free at: the bookings still follow the weights (2:1)."""
    scheduler, _, _ = build(database_url)
    for key in ("dana", "marco"):
        with_ae(scheduler, key, max_meetings_per_day=20)  # the daily cap is another test's
    americas = RoutingLead({"region": "Americas", "company_size": 500, "email_domain": "example.com"})
    routed = [scheduler.route(americas) for _ in range(12)]
    assert {decision.team for decision, _ in routed} == {"americas"}
    hosts = []
    for n, (decision, free) in enumerate(routed):
        shared = sorted({s.start for s in free["marco"]} & {s.start for s in free["dana"]})
        step = len(shared) // len(routed)
        assert step >= 3
        start = shared[n * step]  # spread out: one booking's buffer leaves the next time free for both
        pick = OfferedSlot(1, "marco", start, start + timedelta(minutes=30))
        hosts.append(scheduler.book(decision, pick, VISITOR, BRIEF, f"visitor-{n}", "America/New_York").host_key)
    # Fair shares 8 and 4: the AE a time was offered with keeps it unless that puts them more than a
    # meeting further above their share than a teammate free at the same time.
    assert abs(hosts.count("dana") - 8) <= 1 and abs(hosts.count("marco") - 4) <= 1


def test_visitors_routed_at_the_same_moment_are_spread_by_weight(database_url: str) -> None:
    """Nobody has booked yet, but each routed visitor counts as a meeting on its way to their AE."""
    scheduler, _, _ = build(database_url)
    log = RoutingLog(make_session_factory(make_engine(database_url)), scheduler._clock)
    americas = RoutingLead({"region": "Americas", "company_size": 500, "email_domain": "example.com"})
    picked = []
    for n in range(9):
        decision, _ = scheduler.route(americas)
        log.record_decision(f"visitor-{n}", decision)
        picked.append(decision.ae)
    assert (picked.count("dana"), picked.count("marco")) == (6, 3)
    assert log.open_offers(["dana", "marco"]) == {"dana": 6, "marco": 3}
    assert log.open_offers(["dana", "marco"], exclude_sender="visitor-0") == {"dana": 5, "marco": 3}


def test_times_offered_to_another_visitor_are_left_out_while_there_are_others(database_url: str) -> None:
    scheduler, _, _ = build(database_url)
    offers = OfferLog(make_session_factory(make_engine(database_url)), scheduler._clock)
    decision, free = scheduler.route(EMEA_BIG)
    first = scheduler.offer(decision, "Europe/Berlin", free=free)
    offers.record("visitor-1", first.slots)
    held = offers.held_by_others("visitor-2", decision.candidates)
    assert held == {(slot.ae, slot.start) for slot in first.slots}
    assert offers.held_by_others("visitor-1", decision.candidates) == set(), "a visitor's own offer holds nothing"
    second = scheduler.offer(decision, "Europe/Berlin", free=free, held=held)
    assert len(second.slots) == len(first.slots)
    assert not {(s.ae, s.start) for s in second.slots} & held
    everything = {(slot.host, slot.start) for slots in free.values() for slot in slots}
    assert scheduler.offer(decision, "Europe/Berlin", free=free, held=everything).slots, "never no times at all"
