"""The router: which team and which AE a CQL meets, and why.

Account owner first, then the first matching rule (or the catch-all), then
fair round-robin among the team's eligible AEs: active, not out of office,
under their daily cap, with free time. An AE's load is this month's bookings
plus the visitors routed to them in the last half hour who have not booked
yet, so visitors routed at the same moment are spread by weight. Every step leaves a reason code:
``account_owner``, ``rule:<id>``, ``catch_all``,
``skipped:<ae>:inactive|out_of_office|cap|busy``, ``picked:<ae>``,
``nobody_available``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Callable, Dict, List, Mapping, Sequence, Tuple

from bot.routing.fair import Contender, rank
from bot.routing.rules import RoutingConfig, RoutingLead, select_team
from bot.routing.team import AccountExecutive, TeamConfig
from calendar_booking.availability import BookingRules, Slot, free_slots
from calendar_booking.booking import BookingService
from calendar_booking.port import CalendarPort

#: Visitors routed to each AE lately who have not booked yet (bot.routing.log.RoutingLog.open_offers).
OpenOffers = Callable[[Sequence[str], str | None], Mapping[str, int]]


@dataclass(frozen=True)
class RouteDecision:
    """Where a lead goes: the team, the AEs who may take it (best first), and why."""

    team: str
    candidates: Tuple[str, ...]
    reasons: Tuple[str, ...]
    pinned: bool = False  # an account owner's lead: no teammate stands in

    @property
    def ae(self) -> str | None:
        return self.candidates[0] if self.candidates else None

    def to_slot(self) -> Dict[str, Any]:
        return {
            "team": self.team,
            "candidates": list(self.candidates),
            "reasons": list(self.reasons),
            "pinned": self.pinned,
        }

    @classmethod
    def from_slot(cls, value: Any) -> RouteDecision | None:
        if not isinstance(value, dict) or not isinstance(value.get("team"), str):
            return None
        return cls(
            team=value["team"],
            candidates=tuple(str(c) for c in value.get("candidates") or ()),
            reasons=tuple(str(r) for r in value.get("reasons") or ()),
            pinned=bool(value.get("pinned")),
        )


#: Active meetings per AE and AE-local day.
Booked = Dict[str, Dict[date, int]]


class Router:
    """Routes leads over the team, the rules and the AEs' real availability."""

    def __init__(
        self,
        team: TeamConfig,
        routing: RoutingConfig,
        rules: BookingRules,
        calendar: CalendarPort,
        bookings: BookingService,
        open_offers: OpenOffers | None = None,
    ) -> None:
        self.team = team
        self.routing = routing
        self.rules = rules
        self._calendar = calendar
        self._bookings = bookings
        self._open_offers = open_offers

    def loads(self, ae_keys: Sequence[str], now: datetime, exclude_sender: str | None = None) -> Dict[str, Contender]:
        """Each AE as a contender for the next meeting: this month's bookings plus the visitors
        routed to them lately who have not booked yet (but ``exclude_sender``)."""
        booked = self._bookings.host_loads(list(ae_keys))
        coming = self._open_offers(ae_keys, exclude_sender) if self._open_offers else {}
        return {
            key: Contender(
                key, ae.weight, booked[key].month_count + coming.get(key, 0), booked[key].last_booked_at, ae.joined
            )
            for key in ae_keys
            if (ae := self.team.by_key.get(key)) is not None
        }

    def availability(self, ae_keys: Sequence[str], now: datetime) -> Dict[str, List[Slot]]:
        """Free slots of each AE over the booking horizon."""
        return self._availability(ae_keys, now)[0]

    def _availability(self, ae_keys: Sequence[str], now: datetime) -> Tuple[Dict[str, List[Slot]], Booked]:
        """Free slots of each AE, and their meetings per local day (read once, for the caps)."""
        aes = [self.team.by_key[key] for key in ae_keys if key in self.team.by_key]
        if not aes:
            return {}, {}
        end = now + timedelta(days=self.rules.horizon_days, hours=1)
        busy = self._calendar.busy([ae.calendar for ae in aes], now, end)
        booked = self._bookings.active_per_day([ae.key for ae in aes], {ae.key: ae.timezone for ae in aes}, now, end)
        free = {
            ae.key: free_slots(ae.schedule(), busy.get(ae.calendar, []), self.rules, now, booked.get(ae.key))
            if ae.active
            else []
            for ae in aes
        }
        return free, booked

    def decide(self, lead: RoutingLead, now: datetime) -> Tuple[RouteDecision, Dict[str, List[Slot]]]:
        """The decision for ``lead`` and the free slots of its candidates."""
        reasons: List[str] = []
        account = self.routing.owner_of(lead.get("email_domain"))
        if account is not None:
            owner = self.team.by_key[account.owner]
            free, booked = self._availability([owner.key], now)
            skip = self._skip_reason(owner, free.get(owner.key, []), booked.get(owner.key, {}), now)
            if skip is None:
                decision = RouteDecision(
                    team=self.team.teams_of(owner.key)[0],
                    candidates=(owner.key,),
                    reasons=("account_owner", f"picked:{owner.key}"),
                    pinned=True,
                )
                return decision, free
            reasons.append(f"skipped:{owner.key}:{skip}")
        team_key, why = select_team(self.routing, lead)
        reasons.append(why)
        members = self.team.members(team_key)
        free, booked = self._availability([ae.key for ae in members], now)
        eligible: List[AccountExecutive] = []
        for ae in members:
            skip = self._skip_reason(ae, free.get(ae.key, []), booked.get(ae.key, {}), now)
            if skip is None:
                eligible.append(ae)
            else:
                reasons.append(f"skipped:{ae.key}:{skip}")
        ranked = rank(list(self.loads([ae.key for ae in eligible], now).values()), now.date())
        reasons.append(f"picked:{ranked[0]}" if ranked else "nobody_available")
        return RouteDecision(team=team_key, candidates=tuple(ranked), reasons=tuple(reasons)), free

    def _skip_reason(
        self, ae: AccountExecutive, slots: List[Slot], booked: Mapping[date, int], now: datetime
    ) -> str | None:
        if not ae.active:
            return "inactive"
        if slots:
            return None
        schedule = ae.schedule()
        today = now.astimezone(schedule.zone).date()
        horizon = [today + timedelta(days=n) for n in range(self.rules.horizon_days + 1)]
        if schedule.is_away(today) or all(schedule.is_away(day) for day in horizon):
            return "out_of_office"
        if any(count >= ae.max_meetings_per_day for count in booked.values()):
            return "cap"
        return "busy"


def days_ahead(slots: Sequence[Slot], now: datetime, days: int) -> List[Slot]:
    """The slots that start within ``days`` of ``now``."""
    cutoff = now + timedelta(days=days)
    return [slot for slot in slots if slot.start < cutoff]
