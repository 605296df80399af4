"""Fair, weighted round-robin: which eligible AE is furthest below their share.

Pure. Each AE's share of the team's bookings this month is proportional to
their weight. The pick is the AE with the largest deficit (share minus
bookings); ties go to whoever was booked least recently. An AE who joined
this month starts with a calibration credit: the bookings an average teammate of their
weight had made by the day they joined (this month's bookings so far, pro
rata), so they take a fair share from their first day instead of every
booking until they "catch up".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Dict, List, Mapping, Sequence

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Contender:
    key: str
    weight: float
    month_count: int
    last_booked_at: datetime | None
    joined: date | None = None


def _joined_this_month(contender: Contender, today: date) -> bool:
    joined = contender.joined
    return joined is not None and (joined.year, joined.month) == (today.year, today.month)


def effective_counts(contenders: Sequence[Contender], today: date) -> Mapping[str, float]:
    """Each contender's bookings, plus the calibration credit of new AEs."""
    settled = [c for c in contenders if not _joined_this_month(c, today)]
    settled_weight = sum(c.weight for c in settled)
    per_weight = sum(c.month_count for c in settled) / settled_weight if settled_weight else 0.0

    def credit(c: Contender) -> float:
        if c.joined is None or not _joined_this_month(c, today):
            return 0.0
        share_of_month_before_joining = (c.joined.day - 1) / today.day
        return per_weight * c.weight * share_of_month_before_joining

    return {c.key: c.month_count + credit(c) for c in contenders}


def deficits(contenders: Sequence[Contender], today: date) -> Dict[str, float]:
    """How far each contender is below their share once the next booking is made (negative: above)."""
    if not contenders:
        return {}
    counts = effective_counts(contenders, today)
    total = sum(counts.values()) + 1  # the booking about to be made
    weights = sum(c.weight for c in contenders)
    return {c.key: total * c.weight / weights - counts[c.key] for c in contenders}


def rank(contenders: Sequence[Contender], today: date) -> List[str]:
    """Contender keys, best pick first."""
    deficit = deficits(contenders, today)
    ordered = sorted(contenders, key=lambda c: (-round(deficit[c.key], 9), c.last_booked_at or EPOCH, c.key))
    return [c.key for c in ordered]
