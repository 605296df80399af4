"""The demo team's calendars: realistic recurring busy blocks in the local calendar.

Seeded on every start when the bot books on the local calendar, for each AE
in ``ops/team.yml``, over the booking horizon: a Monday team stand-up, a
Wednesday pipeline review, a Friday forecast call, and two or three customer
calls a day at times that vary by AE and date (deterministic, so a restart
adds the same blocks and never duplicates one). Meetings the bot booked are
never touched.

Run alone: ``python -m bot.cli.seed_demo``.
"""

from __future__ import annotations

import hashlib
import logging
import random
from datetime import date, datetime, time, timedelta
from typing import Iterator, List

from bot.routing.team import AccountExecutive
from calendar_booking.availability import Interval
from calendar_booking.local import LocalCalendar

logger = logging.getLogger(__name__)

#: (weekday, local start, minutes, title) of each AE's standing meetings.
RECURRING = (
    (0, time(9, 30), 30, "Team stand-up"),
    (2, time(14, 0), 60, "Pipeline review"),
    (4, time(11, 0), 30, "Forecast call"),
)


def _rng(ae_key: str, day: date) -> random.Random:
    seed = int.from_bytes(hashlib.sha256(f"{ae_key}:{day.isoformat()}".encode()).digest()[:8], "big")
    return random.Random(seed)  # noqa: S311 - demo data, not security


def demo_blocks(ae: AccountExecutive, first: date, days: int) -> Iterator[Interval]:
    """The AE's busy blocks from ``first`` for ``days`` days, in UTC."""
    schedule = ae.schedule()
    zone = schedule.zone
    for offset in range(days):
        day = first + timedelta(days=offset)
        periods = schedule.hours.get(day.weekday(), ())
        if not periods:
            continue
        for weekday, start, minutes, _title in RECURRING:
            if weekday == day.weekday():
                begin = datetime.combine(day, start, tzinfo=zone)
                yield Interval(begin, begin + timedelta(minutes=minutes))
        rng = _rng(ae.key, day)
        for _ in range(rng.choice((2, 2, 3))):
            period_start, period_end = rng.choice(periods)
            span = (datetime.combine(day, period_end) - datetime.combine(day, period_start)).seconds // 1800
            if span < 2:
                continue
            begin = datetime.combine(day, period_start, tzinfo=zone) + timedelta(minutes=30 * rng.randrange(span - 1))
            yield Interval(begin, begin + timedelta(minutes=rng.choice((30, 30, 60))))


def seed_demo_calendars(calendar: LocalCalendar, aes: List[AccountExecutive], today: date, days: int) -> int:
    """Adds the demo busy blocks; returns how many were new."""
    added = 0
    for ae in aes:
        added += calendar.add_busy(ae.calendar, demo_blocks(ae, today, days), title="Busy (demo)", prefix="demo")
    return added
