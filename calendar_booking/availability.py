"""Free slots, computed: pure functions over a host's schedule and busy times.

Everything inside is UTC; a host's working hours are read in the host's own
zone with ``zoneinfo``, so a day's hours follow that zone's DST changes. A
slot is offered only if the whole meeting, with its buffers, fits inside one
working period, clear of every busy interval, after the minimum notice and
before the horizon, on a day that is not a public holiday of the host's
country, not inside an absence, and not already at the host's daily cap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import groupby
from typing import Dict, FrozenSet, Iterable, List, Mapping, Sequence, Tuple
from zoneinfo import ZoneInfo

import holidays

UTC = UTC
Period = Tuple[time, time]


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open span of time [start, end), both aware."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("intervals need aware datetimes")
        if self.end < self.start:
            raise ValueError("an interval cannot end before it starts")


@dataclass(frozen=True)
class BookingRules:
    """The meeting and offer rules of ``ops/booking.yml``."""

    meeting_minutes: int = 30
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    minimum_notice_minutes: int = 240
    horizon_days: int = 14
    granularity_minutes: int = 30

    @property
    def length(self) -> timedelta:
        return timedelta(minutes=self.meeting_minutes)


@dataclass(frozen=True)
class HostSchedule:
    """When one host (an AE) takes meetings.

    ``hours`` maps a weekday (Monday is 0) to its working periods, local
    times in ``timezone``, sorted and not overlapping. ``away`` lists
    inclusive date ranges of absence; ``holiday_country`` an ISO 3166 code.
    """

    key: str
    timezone: str
    hours: Mapping[int, Tuple[Period, ...]]
    holiday_country: str | None = None
    away: Tuple[Tuple[date, date], ...] = ()
    daily_cap: int | None = None

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.timezone)

    def is_away(self, day: date) -> bool:
        return any(first <= day <= last for first, last in self.away)


@dataclass(frozen=True)
class Slot:
    """An offerable meeting start with the host it belongs to."""

    host: str
    start: datetime
    end: datetime = field(compare=False)


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=1024)
def public_holidays(country: str, year: int) -> FrozenSet[date]:
    """The public holidays of ``country`` in ``year`` (the ``holidays`` package)."""
    return frozenset(holidays.country_holidays(country, years=year).keys())


def merge_busy(busy: Iterable[Interval], before: timedelta, after: timedelta) -> List[Interval]:
    """Busy intervals widened by the buffers a meeting needs around them,
    sorted and merged. A meeting needs ``before`` free ahead of it, so a busy
    block blocks ``before`` past its end; likewise ``after`` ahead of its start."""
    widened = sorted(Interval(b.start - after, b.end + before) for b in busy if b.end > b.start)
    merged: List[Interval] = []
    for block in widened:
        if merged and block.start <= merged[-1].end:
            if block.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, block.end)
        else:
            merged.append(block)
    return merged


def _wall(day: date, at: time, zone: ZoneInfo, fold: int) -> datetime:
    """``day`` at wall time ``at`` in ``zone``, as UTC. A wall time skipped by a
    spring-forward change has no instant: fold 0 reads it after the gap, fold 1
    before it; a repeated one (fall-back) is its first (0) or second (1) instance."""
    return datetime.combine(day, at, tzinfo=zone).replace(fold=fold).astimezone(UTC)


def _working_periods(host: HostSchedule, day: date) -> Iterable[Tuple[datetime, datetime]]:
    """(start, end) in UTC of each working period of ``day``. Around a DST
    change a wall time may happen twice or never; the period starts at the
    later reading of its start and ends at the earlier reading of its end, so
    every instant inside it reads as a working hour on the wall clock."""
    zone = host.zone
    for begin, finish in host.hours.get(day.weekday(), ()):
        start = max(_wall(day, begin, zone, 0), _wall(day, begin, zone, 1))
        end = min(_wall(day, finish, zone, 0), _wall(day, finish, zone, 1))
        if end > start:
            yield start, end


def free_slots(
    host: HostSchedule,
    busy: Iterable[Interval],
    rules: BookingRules,
    now: datetime,
    booked_per_day: Mapping[date, int] | None = None,
) -> List[Slot]:
    """Every slot ``host`` can take, earliest first.

    Args:
        host: the host's working hours, zone, holidays, absences and cap.
        busy: the host's busy intervals (any order, may overlap).
        rules: meeting length, buffers, notice, horizon and granularity.
        now: the current time (aware).
        booked_per_day: meetings already booked per host-local date, for the cap.
    """
    if now.tzinfo is None:
        raise ValueError("now must be aware")
    now = now.astimezone(UTC)
    earliest = now + timedelta(minutes=rules.minimum_notice_minutes)
    latest = now + timedelta(days=rules.horizon_days)
    length = rules.length
    step = timedelta(minutes=rules.granularity_minutes)
    blocks = merge_busy(
        busy, timedelta(minutes=rules.buffer_before_minutes), timedelta(minutes=rules.buffer_after_minutes)
    )
    booked = booked_per_day or {}
    zone = host.zone
    slots: List[Slot] = []
    cursor = 0
    day = earliest.astimezone(zone).date()
    last_day = latest.astimezone(zone).date()
    while day <= last_day:
        if (
            host.is_away(day)
            or (host.daily_cap is not None and booked.get(day, 0) >= host.daily_cap)
            or (host.holiday_country and day in public_holidays(host.holiday_country, day.year))
        ):
            day += timedelta(days=1)
            continue
        for start, end in _working_periods(host, day):
            lo = max(start, earliest)
            hi = min(end, latest + length)
            # Blocks that end before this period can never matter again.
            while cursor < len(blocks) and blocks[cursor].end <= lo:
                cursor += 1
            index = cursor
            free_from = lo
            while free_from + length <= hi:
                block = blocks[index] if index < len(blocks) else None
                free_to = min(hi, block.start) if block is not None else hi
                if free_to - free_from >= length:
                    slots.extend(_grid(host.key, start, free_from, free_to, step, length, latest))
                if block is None or block.start >= hi:
                    break
                free_from = max(free_from, block.end)
                index += 1
        day += timedelta(days=1)
    return slots


def offers_slot(host: HostSchedule, busy: Iterable[Interval], rules: BookingRules, now: datetime, start: datetime,
                end: datetime) -> bool:  # fmt: skip
    """Whether :func:`free_slots` offers exactly ``[start, end)`` for ``host`` now: working
    hours, grid, notice, horizon, holidays, absences and busy times (with buffers) all
    allow it. ``busy`` needs only the blocks near the slot. The daily cap is the
    booking's own check, under its lock."""
    if end - start != rules.length or start.tzinfo is None:
        return False
    return any(slot.start == start for slot in free_slots(host, busy, rules, now))


def _grid(
    host: str,
    origin: datetime,
    free_from: datetime,
    free_to: datetime,
    step: timedelta,
    length: timedelta,
    latest: datetime,
) -> Iterable[Slot]:
    """Starts on the grid ``origin + k*step`` with the meeting inside [free_from, free_to)."""
    offset = free_from - origin
    k = -(-offset // step)  # ceiling division on timedeltas
    start = origin + k * step
    while start + length <= free_to and start <= latest:
        yield Slot(host, start, start + length)
        start += step


def spread(
    slots: Sequence[Slot], count: int, zone: str, per_day: int = 2, gap: timedelta = timedelta(hours=3)
) -> List[Slot]:
    """Up to ``count`` slots spread over the visitor's days: one a day first,
    alternating the day's earliest slot with its first afternoon slot (from
    noon, the visitor's time), then a second one at least ``gap`` away on
    the same day; so the offer spans several days and both halves of a day."""
    tz = _zone(zone)
    ordered = sorted(slots, key=lambda s: (s.start, s.host))
    days: Dict[date, List[Slot]] = {
        day: list(group) for day, group in groupby(ordered, key=lambda s: s.start.astimezone(tz).date())
    }
    chosen: Dict[date, List[Slot]] = {day: [] for day in days}
    picked = 0
    for _round in range(per_day):
        for day, candidates in days.items():
            if picked >= count:
                break
            taken = chosen[day]
            if len(taken) > _round:
                continue
            if taken:
                nxt = next((s for s in candidates if abs(s.start - taken[-1].start) >= gap), None)
            elif len(chosen) > 1 and list(days).index(day) % 2:
                afternoon = [s for s in candidates if s.start.astimezone(tz).hour >= 12]
                nxt = afternoon[0] if afternoon else candidates[0]
            else:
                nxt = candidates[0]
            if nxt is not None:
                taken.append(nxt)
                picked += 1
    return sorted((s for taken in chosen.values() for s in taken), key=lambda s: (s.start, s.host))
