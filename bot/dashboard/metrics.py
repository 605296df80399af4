"""The ops dashboard's numbers, read from the lead store, bookings and outbox.

Each function takes a connection and a :class:`Period` and returns plain
data; the pages in :mod:`bot.web.dashboard` draw it. Per-conversation facts
are read in one query and counted here, so the funnel and its breakdowns by
source, campaign and landing page come from the same rows.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Dict, Iterable, List, Sequence, Tuple
from urllib.parse import urlsplit

from sqlalchemy import and_, exists, func, select
from sqlalchemy.engine import Connection

from bot.leads.models import Answer, ChatOpen, Conversation, Lead, RoutingDecision
from bot.notifications.outbox import DELIVERED, notifications
from bot.routing.team import TeamConfig
from calendar_booking.tables import booking_hosts, bookings

#: The funnel's steps, in order: key and label.
STAGES: Tuple[Tuple[str, str], ...] = (
    ("opened", "Opened the chat"),
    ("consented", "Consented"),
    ("answered", "Answered every question"),
    ("cql", "Qualified (CQL)"),
    ("offered", "Offered times"),
    ("booked", "Booked a meeting"),
    ("held", "Meeting held (time passed)"),
)
#: How the funnel can be broken down.
BREAKDOWNS = {"source": "UTM source", "campaign": "UTM campaign", "landing": "Landing page"}
BOOKED_STATUSES = ("confirmed", "cancelled")  # cancelled meetings were booked once
UNKNOWN = "(none)"


@dataclass(frozen=True)
class Period:
    """``[since, until)`` in UTC."""

    since: datetime
    until: datetime

    @property
    def days(self) -> int:
        return max(1, round((self.until - self.since).total_seconds() / 86400))


@dataclass
class Funnel:
    counts: Dict[str, int] = field(default_factory=lambda: {key: 0 for key, _ in STAGES})

    def rate(self, key: str) -> float | None:
        """This step as a share of the one before it."""
        keys = [k for k, _ in STAGES]
        index = keys.index(key)
        if index == 0:
            return None
        before = self.counts[keys[index - 1]]
        return self.counts[key] / before if before else None


def _landing(page_url: str | None) -> str:
    return (urlsplit(page_url).path or "/") if page_url else UNKNOWN


def conversation_facts(connection: Connection, period: Period, now: datetime) -> List[Dict[str, Any]]:
    """One row per consented conversation started in ``period``: where it came
    from and how far it got."""
    sender = Conversation.sender_id
    offered = exists().where(RoutingDecision.sender_id == sender)
    booked = exists().where(and_(bookings.c.reference == sender, bookings.c.status.in_(BOOKED_STATUSES)))
    held = exists().where(and_(bookings.c.reference == sender, bookings.c.status == "confirmed", bookings.c.end <= now))
    booked_at = (
        select(func.min(bookings.c.created_at))
        .where(and_(bookings.c.reference == sender, bookings.c.status.in_(BOOKED_STATUSES)))
        .scalar_subquery()
    )
    rows = connection.execute(
        select(
            Conversation.started_at,
            Conversation.utm,
            Conversation.page_url,
            Conversation.outcome,
            Lead.status,
            offered.label("offered"),
            booked.label("booked"),
            held.label("held"),
            booked_at.label("booked_at"),
        )
        .select_from(Conversation)
        .outerjoin(Lead, Lead.id == Conversation.lead_id)
        .where(Conversation.started_at >= period.since, Conversation.started_at < period.until)
    ).all()
    return [
        {
            "started_at": row.started_at,
            "source": (row.utm or {}).get("utm_source") or UNKNOWN,
            "campaign": (row.utm or {}).get("utm_campaign") or UNKNOWN,
            "landing": _landing(row.page_url),
            "answered": row.outcome == "completed",
            "cql": row.status == "cql",
            "offered": bool(row.offered),
            "booked": bool(row.booked),
            "held": bool(row.held),
            "booked_at": row.booked_at,
        }
        for row in rows
    ]


def chat_opens(connection: Connection, period: Period) -> List[Dict[str, str]]:
    rows = connection.execute(
        select(ChatOpen.utm_source, ChatOpen.utm_campaign, ChatOpen.landing_path).where(
            ChatOpen.opened_at >= period.since, ChatOpen.opened_at < period.until
        )
    ).all()
    return [
        {"source": r.utm_source or UNKNOWN, "campaign": r.utm_campaign or UNKNOWN, "landing": r.landing_path or UNKNOWN}
        for r in rows
    ]


def funnel(facts: Sequence[Dict[str, Any]], opens: Sequence[Dict[str, str]]) -> Funnel:
    result = Funnel()
    result.counts["opened"] = len(opens)
    result.counts["consented"] = len(facts)
    for key in ("answered", "cql", "offered", "booked", "held"):
        result.counts[key] = sum(1 for fact in facts if fact[key])
    return result


def funnel_by(facts: Sequence[Dict[str, Any]], opens: Sequence[Dict[str, str]], by: str) -> List[Tuple[str, Funnel]]:
    """The funnel per value of ``by`` (a key of :data:`BREAKDOWNS`), most opened first."""
    facts_by: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
    opens_by: Dict[str, List[Dict[str, str]]] = defaultdict(list)
    for fact in facts:
        facts_by[fact[by]].append(fact)
    for opened in opens:
        opens_by[opened[by]].append(opened)
    groups = set(facts_by) | set(opens_by)
    rows = [(group, funnel(facts_by[group], opens_by[group])) for group in groups]
    return sorted(rows, key=lambda row: (-row[1].counts["opened"], -row[1].counts["consented"], row[0]))


@dataclass(frozen=True)
class QuestionDropOff:
    question: str
    asked: int
    answered: int
    reasked: int
    left: int
    median_seconds: float | None


def drop_off(connection: Connection, period: Period, order: Sequence[str]) -> List[QuestionDropOff]:
    """Per question: asked, answered, asked again, left there (never answered
    in a conversation that did not finish), and the median time to answer."""
    rows = connection.execute(
        select(Answer.question, Answer.asked_at, Answer.answered_at, Answer.attempts, Conversation.outcome)
        .join(Conversation, Conversation.id == Answer.conversation_id)
        .where(Conversation.started_at >= period.since, Conversation.started_at < period.until)
    ).all()
    stats: Dict[str, Dict[str, Any]] = defaultdict(
        lambda: {"asked": 0, "answered": 0, "reasked": 0, "left": 0, "waits": []}
    )
    for row in rows:
        entry = stats[row.question]
        if row.asked_at is not None:
            entry["asked"] += 1
        if row.answered_at is not None:
            entry["answered"] += 1
            if row.asked_at is not None:
                entry["waits"].append((row.answered_at - row.asked_at).total_seconds())
        elif row.asked_at is not None and row.outcome is None:
            entry["left"] += 1
        if (row.attempts or 0) > 1:
            entry["reasked"] += 1
    ordered = list(order) + sorted(set(stats) - set(order))
    return [
        QuestionDropOff(
            question,
            stats[question]["asked"],
            stats[question]["answered"],
            stats[question]["reasked"],
            stats[question]["left"],
            statistics.median(stats[question]["waits"]) if stats[question]["waits"] else None,
        )
        for question in ordered
        if question in stats
    ]


@dataclass(frozen=True)
class AeMeetings:
    key: str
    name: str
    team: str
    booked: int
    fair_share: float
    weight: float
    out_of_office_days: int
    reassigned_to: int
    active: bool


def meetings_by_ae(connection: Connection, team: TeamConfig, now: datetime) -> List[AeMeetings]:
    """This month's meetings per AE against their weighted fair share within
    their (first) team: the routing's own counters."""
    month = f"{now:%Y-%m}"
    counts = {
        row.key: (row.month_count if row.month == month else 0)
        for row in connection.execute(select(booking_hosts.c.key, booking_hosts.c.month, booking_hosts.c.month_count))
    }
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    reassigned = Counter(
        row.recipient.partition(":")[2]
        for row in connection.execute(
            select(notifications.c.recipient).where(
                notifications.c.kind == "meeting_reassigned",
                notifications.c.recipient.like("ae:%"),
                notifications.c.created_at >= month_start,
            )
        )
    )
    result = []
    for ae in team.aes:
        team_key = next(iter(team.teams_of(ae.key)), "")
        mates = team.members(team_key) or [ae]
        total = sum(counts.get(m.key, 0) for m in mates)
        weights = sum(m.weight for m in mates if m.active) or 1.0
        share = total * (ae.weight / weights) if ae.active else 0.0
        result.append(
            AeMeetings(
                ae.key,
                ae.name,
                team_key,
                counts.get(ae.key, 0),
                round(share, 1),
                ae.weight,
                _away_days(ae.out_of_office, month_start.date(), now.date()),
                reassigned.get(ae.key, 0),
                ae.active,
            )
        )
    return result


def _away_days(absences: Iterable[Any], first: date, today: date) -> int:
    """Days of this month (to the month's end) inside an out-of-office range."""
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    days = set()
    for absence in absences:
        start, end = max(absence.start, first), min(absence.end, last)
        while start <= end:
            days.add(start)
            start += timedelta(days=1)
    return len(days)


SCORE_BUCKETS = tuple(range(0, 101, 10))


def score_distribution(connection: Connection, period: Period) -> Tuple[Dict[str, List[int]], Counter]:
    """Leads scored in ``period``: per tier, how many in each 10-point band
    (the last band is 100 and over), and how many per knock-out reason."""
    rows = connection.execute(
        select(Lead.status, Lead.score, Lead.knockout).where(
            Lead.scored_at >= period.since, Lead.scored_at < period.until
        )
    ).all()
    bands: Dict[str, List[int]] = defaultdict(lambda: [0] * len(SCORE_BUCKETS))
    knockouts: Counter = Counter()
    for row in rows:
        if row.score is not None:
            index = min(len(SCORE_BUCKETS) - 1, max(0, int(row.score) // 10))
            bands[row.status][index] += 1
        if row.knockout:
            knockouts[row.knockout] += 1
    return dict(bands), knockouts


def percentiles(values: Sequence[float]) -> Dict[str, float] | None:
    if not values:
        return None
    ordered = sorted(values)
    return {
        "p50": statistics.median(ordered),
        "p95": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "n": len(ordered),
    }


def speed_to_lead(connection: Connection, facts: Sequence[Dict[str, Any]], period: Period) -> Dict[str, Any]:
    """First message → meeting booked, and meeting booked → the AE's alert delivered (seconds)."""
    to_booking = [
        (fact["booked_at"] - fact["started_at"]).total_seconds() for fact in facts if fact["booked_at"] is not None
    ]
    alerts = connection.execute(
        select(notifications.c.created_at, notifications.c.delivered_at).where(
            notifications.c.kind == "meeting_booked",
            notifications.c.recipient.like("ae:%"),
            notifications.c.status == DELIVERED,
            notifications.c.created_at >= period.since,
            notifications.c.created_at < period.until,
        )
    ).all()
    to_alert = [(row.delivered_at - row.created_at).total_seconds() for row in alerts]
    return {"to_booking": percentiles(to_booking), "to_alert": percentiles(to_alert)}
