"""Booking from the chat, on our records only.

The booking actions read a tracker, and a tracker is the visitor's (or, for
a forged call, an attacker's) story; everything that books, moves or
cancels a meeting is decided here from what our own database knows:

- **who** is booked: the conversation's consented lead with a CQL tier,
  its email and name from the lead store (:meth:`LeadStore.identity`);
- **with whom**: the conversation's stored routing decision, made from its
  stored answers (:meth:`ChatBooking.decision`);
- **when**: only a time this conversation was offered, with that AE
  (:class:`~bot.scheduling.offers.OfferLog`), which the booking service then
  checks against the AE's availability once more;
- **which meeting** is cancelled when a visitor picks anew: only one this
  conversation booked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, List, Mapping, Tuple

from bot.errors import CqlBotError
from bot.leads.store import LeadIdentity, LeadStore
from bot.playbook import Playbook
from bot.qualification.answers import Answers
from bot.routing.lead_fields import routing_lead
from bot.routing.log import RoutingLog
from bot.routing.router import RouteDecision
from bot.routing.rules import RoutingConfig
from bot.scheduling.offers import OfferLog
from bot.scheduling.scheduler import LeadBrief, Offer, OfferedSlot, Scheduler
from bot.scoring.policy import ScoringPolicy, Tier
from bot.scoring.score import score
from calendar_booking.availability import Slot
from calendar_booking.booking import Booking
from calendar_booking.errors import SlotNotOffered
from calendar_booking.port import Attendee

#: What a meeting's description says of what the visitor wants, at most.
MAX_USE_CASE_CHARS = 300


class NotBookable(CqlBotError):  # noqa: N818 - says what the caller learns
    """Our records hold no consented CQL lead (or no routing) for this conversation."""


@dataclass(frozen=True)
class ChatBooking:
    """Routes, offers, books and replaces meetings for one conversation at a time."""

    scheduler: Scheduler
    offers: OfferLog
    leads: LeadStore
    routing_log: RoutingLog
    playbook: Playbook
    scoring: ScoringPolicy
    routing: RoutingConfig
    public_url: str

    def _answers(self, sender_id: str) -> Answers:
        answers = self.leads.stored_answers(sender_id)
        if answers is None:
            raise NotBookable("no consented conversation")
        return answers

    def _cql(self, sender_id: str) -> LeadIdentity:
        identity = self.leads.identity(sender_id)
        if identity is None or identity.status != Tier.CQL.value:
            raise NotBookable("no CQL lead for this conversation")
        return identity

    def decision(self, sender_id: str) -> Tuple[RouteDecision, Mapping[str, List[Slot]] | None]:
        """The stored routing decision; the first time, the lead is routed on its stored
        answers and the decision stored (then with the candidates' free slots).

        Raises:
            NotBookable: no consented CQL lead.
            CalendarUnavailable: routing could not read the calendars.
        """
        self._cql(sender_id)
        stored = self.routing_log.latest_decision(sender_id)
        if stored is not None:
            return stored, None
        answers = self._answers(sender_id)
        language = self.leads.conversation_language(sender_id)
        lead = routing_lead(answers, self.playbook, self.routing, score(answers, self.scoring), language)
        decision, free = self.scheduler.route(lead)
        self.routing_log.record_decision(sender_id, decision)
        return decision, free

    def offer(
        self,
        sender_id: str,
        decision: RouteDecision,
        visitor_timezone: str,
        after: datetime | None,
        free: Mapping[str, List[Slot]] | None,
    ) -> Offer:
        """The next times, kept as offered to this conversation before anyone sees them."""
        held = self.offers.held_by_others(sender_id, decision.candidates)
        offer = self.scheduler.offer(decision, visitor_timezone, after, free, held)
        self.offers.record(sender_id, offer.slots)
        return offer

    def book(self, sender_id: str, pick: OfferedSlot, visitor_timezone: str | None) -> Booking:
        """Books ``pick`` for this conversation's lead.

        Raises:
            NotBookable: no consented CQL lead, or no routing decision, for this conversation.
            SlotNotOffered: this conversation was not offered that time with that AE.
            SlotTaken: nobody who may take the lead is free then any more.
            CalendarUnavailable: a calendar or the database failed; nothing is booked.
        """
        identity = self._cql(sender_id)
        decision = self.routing_log.latest_decision(sender_id)
        if decision is None:
            raise NotBookable("no routing decision for this conversation")
        offered_at = self.offers.offered_at(sender_id, pick.start, pick.end, pick.ae)
        if offered_at is None:
            raise SlotNotOffered(f"{pick.start.isoformat()} with {pick.ae} was not offered to this conversation")
        brief = self.brief(identity, self._answers(sender_id))
        attendee = Attendee(identity.email, identity.name)
        return self.scheduler.book(decision, pick, attendee, brief, sender_id, visitor_timezone, offered_at)

    def cancel_replaced(self, sender_id: str, booking_id: str) -> Booking:
        """Cancels the meeting a visitor replaced by picking anew: only one this conversation booked.

        Raises:
            BookingNotFound: no active booking of this conversation has that id.
            CalendarUnavailable: the calendar could not cancel it; it stays booked.
        """
        return self.scheduler.bookings.cancel(booking_id, reference=sender_id)

    def booking(self, sender_id: str, booking_id: Any) -> Booking | None:
        """The booking with that id, if this conversation made it."""
        if not isinstance(booking_id, str):
            return None
        return self.scheduler.bookings.get(booking_id, reference=sender_id)

    def brief(self, identity: LeadIdentity, answers: Answers) -> LeadBrief:
        """What the AE's calendar event says: who, why they qualified, the lead link."""
        result = score(answers, self.scoring)
        text = {q.parser.value: answers[q.slot].text for q in self.playbook.questions if answers[q.slot].given}
        summary = " · ".join(
            t for t in (text.get("role"), text.get("company_size"), text.get("timeline"), text.get("country")) if t
        )
        use_case = answers["use_case"].text
        if use_case:
            summary += f"\nWhat they want: {use_case[:MAX_USE_CASE_CHARS]}"
        return LeadBrief(
            visitor_name=identity.name or text.get("name") or "the visitor",
            visitor_email=identity.email,
            company=text.get("company") or "their company",
            score=result.points,
            tier=result.tier.value,
            reasons=tuple(reason.text for reason in result.reasons),
            summary=summary,
            lead_url=f"{self.public_url}/ops/leads/{identity.lead_id}",
        )
