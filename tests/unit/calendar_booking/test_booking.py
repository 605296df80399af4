"""The booking service on the local calendar, on SQLite and PostgreSQL: a
booking lands whole or not at all, and a slot is never booked twice."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, time, timedelta
from typing import Dict, List, Sequence

import pytest
from sqlalchemy import func, select

from bot.clock import FixedClock
from bot.db import make_engine
from calendar_booking.availability import BookingRules, HostSchedule, Interval
from calendar_booking.booking import Booking, BookingRequest, BookingService, event_id_for
from calendar_booking.errors import BookingNotFound, CalendarUnavailable, SlotNotOffered, SlotTaken
from calendar_booking.local import LocalCalendar
from calendar_booking.port import Attendee, CreatedEvent, EventRequest
from calendar_booking.tables import bookings, calendar_events

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
START = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
RULES = BookingRules(30, 5, 10, 240, 14, 30)
CALENDAR = "dana@cqlbot.example"


def schedule(host: str = "dana", cap: int | None = None) -> HostSchedule:
    """Weekdays 08:00 to 18:00 in New York."""
    return HostSchedule(host, "America/New_York", {day: ((time(8), time(18)),) for day in range(5)}, daily_cap=cap)


def request(
    start: datetime = START,
    reference: str = "visitor-1",
    cap: int | None = None,
    host: str = "dana",
    offered_at: datetime | None = None,
) -> BookingRequest:
    return BookingRequest(
        schedule=schedule(host, cap),
        calendar_id=CALENDAR if host == "dana" else f"{host}@cqlbot.example",
        start=start,
        end=start + timedelta(minutes=30),
        reference=reference,
        attendee=Attendee(f"{reference}@example.com", reference),
        title="Intro",
        description="Why: VP",
        visitor_timezone="Europe/Berlin",
        offered_at=offered_at,
    )


@pytest.fixture
def engine(database_url: str):  # type: ignore[no-untyped-def]
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def local(engine) -> LocalCalendar:  # type: ignore[no-untyped-def]
    return LocalCalendar(engine, FixedClock(NOW))


@pytest.fixture
def service(engine, local: LocalCalendar) -> BookingService:  # type: ignore[no-untyped-def]
    return BookingService(engine, local, FixedClock(NOW), RULES)


def active(engine) -> List[Dict[str, object]]:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return [
            dict(r._mapping) for r in connection.execute(select(bookings).where(bookings.c.active_start.isnot(None)))
        ]


def test_a_booking_reserves_creates_the_event_and_confirms(service: BookingService, local: LocalCalendar) -> None:
    booking = service.book(request())
    assert booking.status == "confirmed" and booking.start == START
    events = local.events(CALENDAR, START - timedelta(hours=1), START + timedelta(hours=1))
    assert [(e["event_id"], e["start"], e["attendees"]) for e in events] == [
        (event_id_for(booking.id), START, [{"email": "visitor-1@example.com", "name": "visitor-1"}])
    ]
    assert service.for_reference("visitor-1")[0].id == booking.id
    assert service.host_loads(["dana"])["dana"].month_count == 1


def test_a_busy_calendar_slot_is_taken(service: BookingService, local: LocalCalendar) -> None:
    local.add_busy(CALENDAR, [Interval(START + timedelta(minutes=35), START + timedelta(hours=1))])
    with pytest.raises(SlotTaken):
        service.book(request())  # the 10-minute after-buffer reaches the busy block


def test_overlapping_starts_are_refused_not_just_equal_ones(service: BookingService, engine) -> None:  # type: ignore[no-untyped-def]
    service.book(request())
    with pytest.raises(SlotTaken):
        service.book(request(START + timedelta(minutes=15), reference="visitor-2"))
    assert len(active(engine)) == 1


def test_the_daily_cap_is_enforced_in_the_reservation(service: BookingService) -> None:
    service.book(request(cap=2))
    service.book(request(START + timedelta(hours=2), reference="visitor-2", cap=2))
    with pytest.raises(SlotTaken, match="full"):
        service.book(request(START + timedelta(hours=4), reference="visitor-3", cap=2))


def test_a_slot_in_the_past_is_taken(service: BookingService) -> None:
    with pytest.raises(SlotTaken):
        service.book(request(NOW - timedelta(minutes=30)))


#: The first time the notice (240 minutes) allows at NOW: 14:00 in New York.
EDGE = NOW + timedelta(minutes=240)


@pytest.mark.parametrize(
    ("minutes_later", "offered", "books"),
    [
        (0, False, True),  # the edge itself is offered now
        (5, True, True),  # shown five minutes ago: the notice counts from the offer
        (14, True, True),
        (5, False, False),  # never shown: the notice counts from now
        (16, True, False),  # shown too long ago: from now again
    ],
)
def test_the_notice_counts_from_the_offer_for_a_while(
    engine, local: LocalCalendar, minutes_later: int, offered: bool, books: bool
) -> None:  # type: ignore[no-untyped-def]
    service = BookingService(engine, local, FixedClock(NOW + timedelta(minutes=minutes_later)), RULES)
    pick = request(EDGE, offered_at=NOW if offered else None)
    if books:
        assert service.book(pick).start == EDGE
    else:
        with pytest.raises(SlotNotOffered):
            service.book(pick)
        assert active(engine) == []


def test_a_fresh_offer_does_not_book_a_start_in_the_past(service: BookingService) -> None:
    with pytest.raises(SlotTaken):
        service.book(request(NOW - timedelta(minutes=30), offered_at=NOW - timedelta(minutes=1)))


class FailingCalendar(LocalCalendar):
    """A local calendar whose event insert fails, as a Google outage would."""

    def create_event(self, request: EventRequest) -> CreatedEvent:
        raise CalendarUnavailable("calendar down")


def test_a_failed_calendar_call_releases_the_reservation_and_the_counter(engine) -> None:  # type: ignore[no-untyped-def]
    service = BookingService(engine, FailingCalendar(engine, FixedClock(NOW)), FixedClock(NOW), RULES)
    with pytest.raises(CalendarUnavailable):
        service.book(request())
    assert active(engine) == []
    assert service.host_loads(["dana"])["dana"].month_count == 0
    [released] = service.for_reference("visitor-1")
    assert released.status == "released"
    healthy = BookingService(engine, LocalCalendar(engine, FixedClock(NOW)), FixedClock(NOW), RULES)
    assert healthy.book(request()).status == "confirmed"  # the slot is free again


def test_cancel_frees_the_slot_and_the_event(service: BookingService, local: LocalCalendar) -> None:
    booking = service.book(request())
    cancelled = service.cancel(booking.id)
    assert cancelled.status == "cancelled"
    assert local.events(CALENDAR, START - timedelta(hours=1), START + timedelta(hours=1)) == []
    assert service.host_loads(["dana"])["dana"].month_count == 0
    with pytest.raises(BookingNotFound):
        service.cancel(booking.id)
    assert service.book(request(reference="visitor-2")).status == "confirmed"


def test_active_bookings_are_counted_per_host_local_day(service: BookingService) -> None:
    service.book(request())
    service.book(request(START + timedelta(hours=3), reference="v2"))
    counts = service.active_per_day(["dana"], {"dana": "America/New_York"}, NOW, NOW + timedelta(days=14))
    assert counts == {"dana": {date(2026, 11, 24): 2}}  # 09:00 and 12:00 in New York


def _race(service: BookingService, requests: Sequence[BookingRequest]) -> List[Booking | Exception]:
    barrier = threading.Barrier(len(requests))

    def attempt(req: BookingRequest) -> Booking | Exception:
        barrier.wait()
        try:
            return service.book(req)
        except (SlotTaken, CalendarUnavailable) as exc:
            return exc

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(attempt, requests))


def test_twenty_visitors_racing_for_one_slot_book_it_exactly_once(service: BookingService, engine) -> None:  # type: ignore[no-untyped-def]
    results = _race(service, [request(reference=f"visitor-{n}") for n in range(20)])
    won = [r for r in results if isinstance(r, Booking)]
    lost = [r for r in results if not isinstance(r, Booking)]
    assert len(won) == 1
    assert all(isinstance(r, SlotTaken) for r in lost), [repr(r) for r in lost]
    assert len(active(engine)) == 1
    with engine.connect() as connection:
        events = connection.execute(
            select(func.count()).select_from(calendar_events).where(calendar_events.c.kind == "meeting")
        ).scalar_one()
    assert events == 1
    assert service.host_loads(["dana"])["dana"].month_count == 1


def test_racing_for_overlapping_slots_books_one_of_them(service: BookingService, engine) -> None:  # type: ignore[no-untyped-def]
    starts = [START + timedelta(minutes=15 * (n % 3)) for n in range(12)]
    results = _race(service, [request(start, reference=f"v{n}") for n, start in enumerate(starts)])
    assert sum(isinstance(r, Booking) for r in results) == 1
    assert len(active(engine)) == 1


def test_different_hosts_do_not_block_each_other(service: BookingService) -> None:
    results = _race(service, [request(reference="a", host="dana"), request(reference="b", host="marco")])
    assert all(isinstance(r, Booking) for r in results)
