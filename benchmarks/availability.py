"""Availability computation: 50 AEs × 14 days × 30 busy blocks each.

Run with ``make bench-availability``. Builds a seeded team of 50 AEs in
eight zones (split working days, national holidays) with 30 busy blocks
each over a 14-day horizon, then times ``free_slots`` for the whole team,
several rounds, one core. Target: ≤ 50 ms for the team.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from typing import Dict, List

from calendar_booking.availability import BookingRules, HostSchedule, Interval, free_slots, public_holidays

ROUNDS = 30
AES = 50
BUSY_PER_AE = 30
RULES = BookingRules(
    meeting_minutes=30, buffer_before_minutes=5, buffer_after_minutes=10, minimum_notice_minutes=240, horizon_days=14,
    granularity_minutes=30,
)  # fmt: skip
NOW = datetime(2026, 3, 23, 15, 0, tzinfo=UTC)  # the horizon crosses the March DST changes
ZONES = [("America/New_York", "US"), ("America/Los_Angeles", "US"), ("Europe/Berlin", "DE"), ("Europe/London", "GB"),
         ("Asia/Kolkata", "IN"), ("Australia/Sydney", "AU"), ("America/Sao_Paulo", "BR"), ("Pacific/Auckland", "NZ")]  # fmt: skip


def team() -> List[HostSchedule]:
    day = ((clock_time(9), clock_time(12, 30)), (clock_time(13, 30), clock_time(17, 30)))
    return [
        HostSchedule(
            key=f"ae{n}",
            timezone=ZONES[n % len(ZONES)][0],
            hours={d: day for d in range(5)},
            holiday_country=ZONES[n % len(ZONES)][1],
            daily_cap=6,
        )
        for n in range(AES)
    ]


def busy_blocks(hosts: List[HostSchedule]) -> Dict[str, List[Interval]]:
    rng = random.Random(7)  # noqa: S311 - a fixed, reproducible calendar, not a secret
    busy = {}
    for host in hosts:
        blocks = []
        for _ in range(BUSY_PER_AE):
            start = NOW + timedelta(minutes=15 * rng.randrange(14 * 24 * 4))
            blocks.append(Interval(start, start + timedelta(minutes=rng.choice([30, 30, 45, 60, 90]))))
        busy[host.key] = blocks
    return busy


def main() -> None:
    hosts = team()
    busy = busy_blocks(hosts)
    for country in {c for _, c in ZONES}:  # the holiday tables load once per process; not part of each request
        public_holidays(country, NOW.year)
    timings = []
    slots = 0
    for _ in range(ROUNDS):
        started = time.perf_counter()
        slots = sum(len(free_slots(host, busy[host.key], RULES, NOW)) for host in hosts)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    print(f"availability: {AES} AEs x {RULES.horizon_days} days x {BUSY_PER_AE} busy blocks -> {slots} free slots")
    print(
        f"  per computation of the whole team over {ROUNDS} rounds: median {statistics.median(timings):.1f} ms, "
        f"p95 {timings[int(0.95 * (len(timings) - 1))]:.1f} ms, min {timings[0]:.1f} ms (target <= 50 ms)"
    )


if __name__ == "__main__":
    main()
