"""Availability maths: examples that pin the rules, then properties that must
hold for any schedule, busy times, zone and moment (hypothesis, derandomised)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import List
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calendar_booking.availability import (
    BookingRules,
    HostSchedule,
    Interval,
    Slot,
    free_slots,
    public_holidays,
    spread,
)

UTC = UTC
WEEKDAYS_9_TO_5 = {day: ((time(9), time(17)),) for day in range(5)}
RULES = BookingRules(
    meeting_minutes=30, buffer_before_minutes=5, buffer_after_minutes=10, minimum_notice_minutes=240, horizon_days=14,
    granularity_minutes=30,
)  # fmt: skip
#: Monday 23 November 2026, 15:00 UTC (10:00 in New York).
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def host(zone: str = "America/New_York", **kwargs: object) -> HostSchedule:
    return HostSchedule(key="dana", timezone=zone, hours=kwargs.pop("hours", WEEKDAYS_9_TO_5), **kwargs)  # type: ignore[arg-type]


def local(slot: Slot, zone: str) -> datetime:
    return slot.start.astimezone(ZoneInfo(zone))


def test_first_slot_respects_minimum_notice_and_the_grid() -> None:
    slots = free_slots(host(), [], RULES, NOW)
    first = local(slots[0], "America/New_York")
    assert first == datetime(2026, 11, 23, 14, 0, tzinfo=ZoneInfo("America/New_York"))  # 10:00 + 4 h
    assert all(s.start.minute in (0, 30) for s in slots)
    assert all(s.end - s.start == timedelta(minutes=30) for s in slots)


def test_thanksgiving_and_weekends_have_no_slots() -> None:
    days = {local(s, "America/New_York").date() for s in free_slots(host(holiday_country="US"), [], RULES, NOW)}
    assert date(2026, 11, 26) not in days  # Thanksgiving
    assert not any(day.weekday() >= 5 for day in days)
    assert date(2026, 11, 27) in days


def test_buffers_keep_space_around_busy_blocks() -> None:
    zone = ZoneInfo("America/New_York")
    busy = [Interval(datetime(2026, 11, 24, 11, 0, tzinfo=zone), datetime(2026, 11, 24, 12, 0, tzinfo=zone))]
    starts = {
        local(s, "America/New_York").time()
        for s in free_slots(host(), busy, RULES, NOW)
        if local(s, "America/New_York").date() == date(2026, 11, 24)
    }
    assert time(10, 0) in starts  # ends 10:30, 10 minutes after-buffer ends 10:40 < 11:00
    assert time(10, 30) not in starts  # its after-buffer runs into the busy block
    assert time(12, 0) not in starts  # needs 5 minutes free before it
    assert time(12, 30) in starts


def test_out_of_office_and_daily_cap_close_whole_days() -> None:
    away = host(away=((date(2026, 11, 24), date(2026, 11, 25)),), daily_cap=2)
    slots = free_slots(away, [], RULES, NOW, booked_per_day={date(2026, 11, 27): 2})
    days = {local(s, "America/New_York").date() for s in slots}
    assert not days & {date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 27)}
    assert date(2026, 11, 30) in days


def test_the_horizon_bounds_the_offer() -> None:
    slots = free_slots(host(), [], RULES, NOW)
    assert slots[-1].start <= NOW + timedelta(days=14)


def test_spread_covers_several_days_in_the_visitors_zone() -> None:
    slots = free_slots(host(), [], RULES, NOW)
    offered = spread(slots, 4, "Europe/Berlin")
    days = [s.start.astimezone(ZoneInfo("Europe/Berlin")).date() for s in offered]
    assert len(offered) == 4
    assert len(set(days)) == 4
    assert offered == sorted(offered, key=lambda s: s.start)


def test_spread_takes_a_second_slot_later_in_the_day_when_days_run_short() -> None:
    slots = [Slot("a", NOW + timedelta(hours=5 + h), NOW + timedelta(hours=5 + h, minutes=30)) for h in range(6)]
    offered = spread(slots, 4, "UTC", per_day=2)
    assert [s.start.hour for s in offered] == [20, 23, 0]  # two days: both halves of the first


# -- properties ---------------------------------------------------------------------

ZONES = [
    "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Pacific/Auckland", "America/Los_Angeles",
    "Australia/Lord_Howe", "Asia/Kathmandu", "Europe/London",
]  # fmt: skip
#: Moments around the DST changes of 2026 (March and October/November), and ordinary weeks.
MOMENTS = [
    datetime(2026, 3, 6, 12, tzinfo=UTC), datetime(2026, 3, 26, 12, tzinfo=UTC), datetime(2026, 10, 21, 12, tzinfo=UTC),
    datetime(2026, 10, 29, 12, tzinfo=UTC), datetime(2026, 4, 1, 12, tzinfo=UTC), datetime(2026, 9, 20, 12, tzinfo=UTC),
]  # fmt: skip


@st.composite
def schedules(draw: st.DrawFn) -> HostSchedule:
    zone = draw(st.sampled_from(ZONES))
    hours = {}
    for day in range(7):
        if draw(st.booleans()):
            start = draw(st.integers(0, 40)) * 30  # minutes from midnight, on the half hour
            length = draw(st.integers(1, 16)) * 30
            end = min(start + length, 23 * 60 + 30)
            if end > start:
                hours[day] = ((time(start // 60, start % 60), time(end // 60, end % 60)),)
    if not hours:
        hours[0] = ((time(9), time(17)),)
    country = draw(st.sampled_from([None, "US", "DE", "IN", "NZ"]))
    return HostSchedule(key="h", timezone=zone, hours=hours, holiday_country=country)


@st.composite
def busy_blocks(draw: st.DrawFn, now: datetime) -> List[Interval]:
    blocks = []
    for _ in range(draw(st.integers(0, 30))):
        start = now + timedelta(minutes=draw(st.integers(0, 14 * 24 * 4)) * 15)
        blocks.append(Interval(start, start + timedelta(minutes=draw(st.sampled_from([15, 30, 45, 60, 90, 240])))))
    return blocks


@st.composite
def cases(draw: st.DrawFn) -> tuple:
    now = draw(st.sampled_from(MOMENTS)) + timedelta(minutes=draw(st.integers(0, 7 * 24 * 4)) * 15)
    rules = BookingRules(
        meeting_minutes=draw(st.sampled_from([15, 30, 45, 60])),
        buffer_before_minutes=draw(st.sampled_from([0, 5, 15])),
        buffer_after_minutes=draw(st.sampled_from([0, 10, 30])),
        minimum_notice_minutes=draw(st.sampled_from([0, 60, 240, 1440])),
        horizon_days=draw(st.integers(1, 21)),
        granularity_minutes=draw(st.sampled_from([15, 30, 60])),
    )
    return draw(schedules()), draw(busy_blocks(now)), rules, now


@settings(max_examples=300, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
@given(cases())
def test_no_offered_slot_breaks_a_rule(case: tuple) -> None:
    schedule, busy, rules, now = case
    zone = ZoneInfo(schedule.timezone)
    before, after = timedelta(minutes=rules.buffer_before_minutes), timedelta(minutes=rules.buffer_after_minutes)
    slots = free_slots(schedule, busy, rules, now)
    for slot in slots:
        assert slot.end - slot.start == rules.length
        assert slot.start >= now + timedelta(minutes=rules.minimum_notice_minutes), "inside minimum notice"
        assert slot.start <= now + timedelta(days=rules.horizon_days), "beyond the horizon"
        for block in busy:
            assert not (block.start < slot.end + after and block.end > slot.start - before), (
                "overlaps a busy block or buffer"
            )
        start_local, end_local = slot.start.astimezone(zone), slot.end.astimezone(zone)
        assert start_local.date() == end_local.date() or end_local.time() == time(0)
        periods = schedule.hours.get(start_local.weekday(), ())
        assert any(begin <= start_local.time() and end_local.time() <= finish for begin, finish in periods), (
            f"{start_local}–{end_local} outside working hours {periods}"
        )
        if schedule.holiday_country:
            assert start_local.date() not in public_holidays(schedule.holiday_country, start_local.year), "on a holiday"
    assert [s.start for s in slots] == sorted({s.start for s in slots}), "sorted, no duplicates"


def test_spring_forward_in_new_york_keeps_wall_clock_hours() -> None:
    # 8 March 2026: clocks go from 02:00 to 03:00. Hours 01:00-04:00 hold only two real hours.
    schedule = host(hours={6: ((time(1), time(4)),)})
    rules = BookingRules(60, 0, 0, 0, 2, 60)
    slots = free_slots(schedule, [], rules, datetime(2026, 3, 8, 5, 0, tzinfo=UTC))
    assert [local(s, "America/New_York").strftime("%H:%M") for s in slots] == ["01:00", "03:00"]


def test_fall_back_in_berlin_offers_the_repeated_hour_once_per_instant() -> None:
    # 25 October 2026: 03:00 CEST becomes 02:00 CET; 02:00-03:00 happens twice.
    schedule = host("Europe/Berlin", hours={6: ((time(1), time(4)),)})
    rules = BookingRules(60, 0, 0, 0, 2, 60)
    slots = free_slots(schedule, [], rules, datetime(2026, 10, 24, 22, 0, tzinfo=UTC))
    assert len(slots) == 4  # 01:00, 02:00 CEST, 02:00 CET, 03:00: four real hours
    assert len({s.start for s in slots}) == 4


def test_half_hour_zone_slots_sit_on_the_local_half_hour() -> None:
    slots = free_slots(host("Asia/Kolkata"), [], RULES, NOW)
    assert {local(s, "Asia/Kolkata").minute for s in slots} == {0, 30}
    assert all(time(9) <= local(s, "Asia/Kolkata").time() <= time(16, 30) for s in slots)


def test_auckland_visitor_sees_los_angeles_hours_on_their_own_next_day() -> None:
    slots = free_slots(host("America/Los_Angeles"), [], RULES, NOW)
    offered = spread(slots, 3, "Pacific/Auckland")
    for slot in offered:
        la, akl = local(slot, "America/Los_Angeles"), local(slot, "Pacific/Auckland")
        assert time(9) <= la.time() < time(17)
        assert akl.date() == la.date() + timedelta(days=1)  # Auckland is a day ahead
