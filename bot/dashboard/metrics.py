"""The ops dashboard's numbers, read from the lead store, bookings and outbox.

Each function takes a connection and a :class:`Period` and returns plain
data; the pages in :mod:`bot.web.dashboard` draw it. The database counts:
conversations are read as groups (source, campaign, page, language, how far they got)
with their number, so the funnel and its breakdowns come from the same rows.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Dict, Iterable, List, Sequence, Tuple

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.engine import Connection

from bot.languages import DEFAULT_LANGUAGE
from bot.leads.models import Answer, ChatOpen, Conversation, Lead, RoutingDecision
from bot.notifications.outbox import DELIVERED, notifications
from bot.routing.team import TeamConfig
from bot.visit import landing_path
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
BREAKDOWNS = {"source": "UTM source", "campaign": "UTM campaign", "landing": "Landing page", "language": "Language"}
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


def conversation_groups(connection: Connection, period: Period, now: datetime) -> List[Dict[str, Any]]:
    """The consented conversations started in ``period``, counted (``n``) by
    where they came from, the language they were held in and how far they got;
    the database does the counting."""
    sender = Conversation.sender_id
    offered = exists().where(RoutingDecision.sender_id == sender)
    booked = exists().where(and_(bookings.c.reference == sender, bookings.c.status.in_(BOOKED_STATUSES)))
    held = exists().where(and_(bookings.c.reference == sender, bookings.c.status == "confirmed", bookings.c.end <= now))
    columns = [
        Conversation.utm["utm_source"].as_string().label("source"),
        Conversation.utm["utm_campaign"].as_string().label("campaign"),
        Conversation.page_url.label("page_url"),
        Conversation.language.label("language"),
        (Conversation.outcome == "completed").label("answered"),
        (Lead.status == "cql").label("cql"),
        offered.label("offered"),
        booked.label("booked"),
        held.label("held"),
    ]
    rows = connection.execute(
        select(*columns, func.count().label("n"))
        .select_from(Conversation)
        .outerjoin(Lead, Lead.id == Conversation.lead_id)
        .where(Conversation.started_at >= period.since, Conversation.started_at < period.until)
        .group_by(*columns)
    ).all()
    return [
        {
            "source": row.source or UNKNOWN,
            "campaign": row.campaign or UNKNOWN,
            "landing": landing_path(row.page_url) or UNKNOWN,
            "language": row.language or DEFAULT_LANGUAGE,
            "answered": bool(row.answered),
            "cql": bool(row.cql),
            "offered": bool(row.offered),
            "booked": bool(row.booked),
            "held": bool(row.held),
            "n": int(row.n),
        }
        for row in rows
    ]


def booking_waits(connection: Connection, period: Period) -> List[float]:
    """Seconds from the first message to the first meeting booked, per conversation started in ``period``."""
    first_booking = (
        select(bookings.c.reference, func.min(bookings.c.created_at).label("at"))
        .where(bookings.c.status.in_(BOOKED_STATUSES))
        .group_by(bookings.c.reference)
        .subquery()
    )
    return [
        float(wait)
        for (wait,) in connection.execute(
            select(seconds_between(connection, first_booking.c.at, Conversation.started_at))
            .join(first_booking, first_booking.c.reference == Conversation.sender_id)
            .where(Conversation.started_at >= period.since, Conversation.started_at < period.until)
        )
    ]


def chat_opens(connection: Connection, period: Period) -> List[Dict[str, Any]]:
    """The chats opened in ``period``, counted (``n``) by UTM source, campaign, landing page
    and the language they opened in."""
    columns = [ChatOpen.utm_source, ChatOpen.utm_campaign, ChatOpen.landing_path, ChatOpen.language]
    rows = connection.execute(
        select(*columns, func.count())
        .where(ChatOpen.opened_at >= period.since, ChatOpen.opened_at < period.until)
        .group_by(*columns)
    ).all()
    return [
        {
            "source": source or UNKNOWN,
            "campaign": campaign or UNKNOWN,
            "landing": landing or UNKNOWN,
            "language": language or DEFAULT_LANGUAGE,
            "n": int(n),
        }
        for source, campaign, landing, language, n in (tuple(row) for row in rows)
    ]


def funnel(groups: Sequence[Dict[str, Any]], opens: Sequence[Dict[str, Any]]) -> Funnel:
    result = Funnel()
    result.counts["opened"] = sum(opened["n"] for opened in opens)
    result.counts["consented"] = sum(group["n"] for group in groups)
    for key in ("answered", "cql", "offered", "booked", "held"):
        result.counts[key] = sum(group["n"] for group in groups if group[key])
    return result


def funnel_by(groups: Sequence[Dict[str, Any]], opens: Sequence[Dict[str, Any]], by: str) -> List[Tuple[str, Funnel]]:
    """The funnel per value of ``by`` (a key of :data:`BREAKDOWNS`), most opened first."""
    groups_by: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
    opens_by: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
    for group in groups:
        groups_by[group[by]].append(group)
    for opened in opens:
        opens_by[opened[by]].append(opened)
    rows = [(value, funnel(groups_by[value], opens_by[value])) for value in set(groups_by) | set(opens_by)]
    return sorted(rows, key=lambda row: (-row[1].counts["opened"], -row[1].counts["consented"], row[0]))


@dataclass(frozen=True)
class QuestionDropOff:
    question: str
    asked: int
    answered: int
    reasked: int
    left: int
    median_seconds: float | None


def seconds_between(connection: Connection, later: Any, earlier: Any) -> Any:
    """``later - earlier`` in seconds, computed by the database (no datetime per row in Python)."""
    if connection.dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def drop_off(connection: Connection, period: Period, order: Sequence[str]) -> List[QuestionDropOff]:
    """Per question: asked, answered, asked again, left there (never answered
    in a conversation that did not finish), and the median time to answer.
    Counted by the database, which also computes each wait in seconds."""
    in_period = and_(Conversation.started_at >= period.since, Conversation.started_at < period.until)
    asked, answered = Answer.asked_at.isnot(None), Answer.answered_at.isnot(None)
    left = and_(asked, Answer.answered_at.is_(None), Conversation.outcome.is_(None))
    rows = connection.execute(
        select(
            Answer.question,
            func.count(Answer.asked_at),
            func.count(Answer.answered_at),
            func.sum(case((Answer.attempts > 1, 1), else_=0)),
            func.sum(case((left, 1), else_=0)),
        )
        .join(Conversation, Conversation.id == Answer.conversation_id)
        .where(in_period)
        .group_by(Answer.question)
    ).all()
    waits: Dict[str, List[float]] = defaultdict(list)
    for question, wait in connection.execute(
        select(Answer.question, seconds_between(connection, Answer.answered_at, Answer.asked_at))
        .join(Conversation, Conversation.id == Answer.conversation_id)
        .where(in_period, asked, answered)
    ):
        waits[question].append(float(wait))
    result = {
        question: QuestionDropOff(
            question,
            int(asked_count),
            int(answered_count),
            int(reasked or 0),
            int(left_count or 0),
            statistics.median(waits[question]) if waits.get(question) else None,
        )
        for question, asked_count, answered_count, reasked, left_count in rows
    }
    ordered = list(order) + sorted(set(result) - set(order))
    return [result[question] for question in ordered if question in result]


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
    band = Lead.score / 10
    rows = connection.execute(
        select(Lead.status, band, Lead.knockout, func.count())
        .where(Lead.scored_at >= period.since, Lead.scored_at < period.until)
        .group_by(Lead.status, band, Lead.knockout)
    ).all()
    bands: Dict[str, List[int]] = defaultdict(lambda: [0] * len(SCORE_BUCKETS))
    knockouts: Counter = Counter()
    for status, score_band, knockout, count in rows:
        if score_band is not None:
            bands[status][min(len(SCORE_BUCKETS) - 1, max(0, int(score_band)))] += int(count)
        if knockout:
            knockouts[knockout] += int(count)
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


def speed_to_lead(connection: Connection, period: Period) -> Dict[str, Any]:
    """First message → meeting booked, and meeting booked → the AE's alert delivered (seconds)."""
    to_booking = booking_waits(connection, period)
    alerts = connection.execute(
        select(
            seconds_between(connection, notifications.c.delivered_at, notifications.c.created_at).label("wait")
        ).where(
            notifications.c.kind == "meeting_booked",
            notifications.c.recipient.like("ae:%"),
            notifications.c.status == DELIVERED,
            notifications.c.created_at >= period.since,
            notifications.c.created_at < period.until,
        )
    ).all()
    to_alert = [float(row.wait) for row in alerts]
    return {"to_booking": percentiles(to_booking), "to_alert": percentiles(to_alert)}
