"""Offering times and booking them: the router's decision meets the calendars.

The offer shows 3–5 times spread over the visitor's next days, in the
visitor's zone, from the routed AE; when that AE has nothing soon (within
``prefer_routed_ae_days``), teammates' times join in, each slot keeping the
best-ranked AE free at it. A pick is booked with the candidate free at that
time who is furthest below their fair share *when the visitor taps*, by the
bookings made up to then; if that AE's slot was taken meanwhile, the next one
takes it. An account owner's lead is booked with the owner only.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import AbstractSet, Any, Dict, List, Mapping, Sequence, Tuple

from bot.clock import Clock
from bot.routing.fair import Contender, deficits, rank
from bot.routing.router import RouteDecision, Router, days_ahead
from bot.routing.rules import RoutingLead
from bot.scheduling.config import BookingConfig
from calendar_booking.availability import Slot, spread
from calendar_booking.booking import Booking, BookingRequest, BookingService
from calendar_booking.errors import BookingNotFound, SlotNotOffered, SlotTaken
from calendar_booking.port import Attendee

logger = logging.getLogger(__name__)

#: How many AEs a pick is tried with before fresh times are offered.
MAX_BOOKING_TRIES = 3


@dataclass(frozen=True)
class OfferedSlot:
    """One button of an offer: its number, the AE, and the start (UTC)."""

    number: int
    ae: str
    start: datetime
    end: datetime

    def to_slot(self) -> Dict[str, Any]:
        return {"n": self.number, "ae": self.ae, "start": self.start.isoformat(), "end": self.end.isoformat()}

    @classmethod
    def from_slot(cls, value: Any) -> OfferedSlot | None:
        try:
            return cls(
                int(value["n"]),
                str(value["ae"]),
                datetime.fromisoformat(value["start"]),
                datetime.fromisoformat(value["end"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class Offer:
    slots: Tuple[OfferedSlot, ...]
    visitor_timezone: str

    @property
    def last_start(self) -> datetime | None:
        return max((slot.start for slot in self.slots), default=None)

    @property
    def aes(self) -> Tuple[str, ...]:
        return tuple(dict.fromkeys(slot.ae for slot in self.slots))


@dataclass(frozen=True)
class LeadBrief:
    """What the AE's calendar event says about the lead."""

    visitor_name: str
    visitor_email: str
    company: str
    score: int | None
    tier: str
    reasons: Tuple[str, ...]
    summary: str
    lead_url: str


class Scheduler:
    """Routes a CQL, offers times, and books the pick."""

    def __init__(self, router: Router, bookings: BookingService, config: BookingConfig, clock: Clock) -> None:
        self.router = router
        self.bookings = bookings
        self.config = config
        self._clock = clock

    def route(self, lead: RoutingLead) -> Tuple[RouteDecision, Dict[str, List[Slot]]]:
        return self.router.decide(lead, self._clock.now())

    def offer(
        self,
        decision: RouteDecision,
        visitor_timezone: str,
        after: datetime | None = None,
        free: Mapping[str, List[Slot]] | None = None,
        held: AbstractSet[Tuple[str, datetime]] = frozenset(),
    ) -> Offer:
        """The next times to offer, later than ``after`` (for "other times"). Times ``held`` (AE, start:
        offered to other visitors who may still tap them) are left out while enough others remain."""
        now = self._clock.now()
        if free is None:
            free = self.router.availability(decision.candidates, now)
        candidates = [key for key in decision.candidates if key in free]
        if not candidates:
            return Offer((), visitor_timezone)

        def later(slots: Sequence[Slot]) -> List[Slot]:
            return [slot for slot in slots if after is None or slot.start > after]

        pool = later(free[candidates[0]])
        if not decision.pinned and not days_ahead(pool, now, self.config.offer.prefer_routed_ae_days):
            best: Dict[datetime, Slot] = {}
            for key in candidates:  # best-ranked first: setdefault keeps them
                for slot in later(free[key]):
                    best.setdefault(slot.start, slot)
            pool = sorted(best.values(), key=lambda s: s.start)
        # Times held for other visitors go last: a later time with the same AE rather than a race for one
        # time (or a teammate's time, which would let the taps decide the share instead of the router).
        unheld = [slot for slot in pool if (slot.host, slot.start) not in held]
        if len(unheld) >= self.config.offer.count:
            pool = unheld
        chosen = spread(pool, self.config.offer.count, visitor_timezone, per_day=self.config.offer.per_day)
        return Offer(
            tuple(OfferedSlot(n, s.host, s.start, s.end) for n, s in enumerate(chosen, start=1)), visitor_timezone
        )

    def book(
        self,
        decision: RouteDecision,
        pick: OfferedSlot,
        attendee: Attendee,
        brief: LeadBrief,
        reference: str,
        visitor_timezone: str | None,
        offered_at: datetime | None = None,
    ) -> Booking:
        """Books ``pick``; a teammate free at the same time stands in if the AE's slot went.
        ``offered_at``, when the visitor was shown it, lets the notice count from then for a while
        (:data:`calendar_booking.booking.NOTICE_GRACE`).

        Raises:
            SlotNotOffered: nobody's availability offers that time any more (too soon, hours changed).
            SlotTaken: nobody who may take this lead is free at that time any more.
            CalendarUnavailable: a calendar or the database failed; nothing is booked.
        """
        now = self._clock.now()
        order = [pick.ae] if decision.pinned else self.booking_order(decision, pick, reference, now)
        taken = False  # by someone else, rather than no longer offered (too soon, hours changed)
        for tries, key in enumerate(order):
            if tries >= MAX_BOOKING_TRIES:
                break
            ae = self.router.team.by_key.get(key)
            if ae is None or not ae.active:
                continue
            request = BookingRequest(
                schedule=ae.schedule(),
                calendar_id=ae.calendar,
                start=pick.start,
                end=pick.end,
                reference=reference,
                attendee=attendee,
                title=self._render(self.config.event.title, brief, ae.name, escape=False)[:300],
                description=self._render(self.config.event.description, brief, ae.name, escape=True),
                visitor_timezone=visitor_timezone,
                organizer_email=ae.email,
                offered_at=offered_at,
            )
            try:
                return self.bookings.book(request)
            except SlotNotOffered:
                logger.info("%s's availability no longer offers %s; trying a teammate", key, pick.start.isoformat())
            except SlotTaken:
                logger.info("slot of %s at %s was taken; trying a teammate", key, pick.start.isoformat())
                taken = True
        if not taken:
            raise SlotNotOffered("nobody's availability offers that time any more")
        raise SlotTaken("nobody is free at that time any more")

    def booking_order(self, decision: RouteDecision, pick: OfferedSlot, reference: str, now: datetime) -> List[str]:
        """Who books the picked time: of the candidates free then, the AE it was offered with,
        unless a teammate is more than a meeting further below their fair share by the loads
        of now (bookings and other visitors' open offers), which can change between the offer
        and the tap; then the others, furthest below their share first."""
        keys = list(dict.fromkeys([pick.ae, *decision.candidates]))
        free = self.router.availability(keys, now)
        keys = [key for key in keys if any(slot.start == pick.start for slot in free.get(key, []))]
        contenders = self.router.loads(keys, now, exclude_sender=reference)
        order = rank(list(contenders.values()), now.date())
        if not order:
            return [pick.ae]
        below = deficits(list(contenders.values()), now.date())
        if pick.ae in below and below[order[0]] - below[pick.ae] <= 1:
            order = [pick.ae] + [key for key in order if key != pick.ae]
        return order

    def reassign(self, booking_id: str) -> Booking | None:
        """Moves a booked meeting to the teammate furthest below their fair
        share who is free at that time; None when nobody is.

        Raises:
            BookingNotFound: the booking is not active.
            CalendarUnavailable: a calendar or the database failed.
        """
        booking = self.bookings.get(booking_id)
        if booking is None or not booking.active:
            raise BookingNotFound(booking_id)
        team = self.router.team
        team_key = next(iter(team.teams_of(booking.host_key)), None)
        others = [ae for ae in team.members(team_key or "") if ae.key != booking.host_key and ae.active]
        loads = self.bookings.host_loads([ae.key for ae in others])
        today = self._clock.now().date()
        ranked = rank(
            [
                Contender(ae.key, ae.weight, loads[ae.key].month_count, loads[ae.key].last_booked_at, ae.joined)
                for ae in others
            ],
            today,
        )
        free = self.router.availability(ranked, self._clock.now())
        for key in ranked:
            if all(slot.start != booking.start for slot in free.get(key, [])):
                continue
            ae = team.by_key[key]
            try:
                return self.bookings.reassign(booking.id, ae.schedule(), ae.calendar)
            except SlotTaken:
                continue
        return None

    @staticmethod
    def _render(template: str, brief: LeadBrief, ae_name: str, escape: bool) -> str:
        """The event text; the visitor's words are HTML-escaped in the
        description (Google renders it as HTML)."""

        def safe(text: str) -> str:
            return html.escape(text, quote=False) if escape else " ".join(text.split())

        values = {
            "visitor_name": safe(brief.visitor_name),
            "visitor_email": safe(brief.visitor_email),
            "company": safe(brief.company),
            "ae_name": ae_name,
            "score": "" if brief.score is None else str(brief.score),
            "tier": brief.tier,
            "reasons": "\n".join(f"- {safe(reason)}" for reason in brief.reasons) or "-",
            "summary": safe(brief.summary),
            "lead_url": brief.lead_url,
        }
        return template.format(**values)
