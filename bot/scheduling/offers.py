"""The times offered to each conversation, kept in our database.

A visitor's pick names a time from the tracker (a button, "the second
one"); it is booked only if this conversation was offered that time with
that AE (:meth:`OfferLog.offered_at`), so a tracker that claims other
offers books nothing. The booking service then checks the time against the
AE's availability again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ContextManager, Sequence, Set, Tuple

from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.db import unit_of_work
from bot.leads.models import BookingOffer
from bot.scheduling.scheduler import OfferedSlot
from calendar_booking.tables import bookings

#: An offer older than this is not honoured (the booking horizon is shorter).
OFFER_VALID_FOR = timedelta(days=30)
#: A time offered to another visitor this recently, who has not booked since, is left out of new offers
#: while there are enough other times.
HOLD_WINDOW = timedelta(minutes=30)


class OfferLog:
    """Records offers and answers whether a time was offered; one session per call."""

    def __init__(self, sessions: sessionmaker, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    def _unit(self) -> ContextManager[Session]:
        return unit_of_work(self._sessions, "offer log")

    def record(self, sender_id: str, slots: Sequence[OfferedSlot]) -> None:
        """Keeps each offered (AE, start, end); an offer made again is kept once, as offered now."""
        now = self._clock.now()
        with self._unit() as session:
            known = {
                (ae, start): offer_id
                for offer_id, ae, start in session.execute(
                    select(BookingOffer.id, BookingOffer.ae_key, BookingOffer.start).where(
                        BookingOffer.sender_id == sender_id
                    )
                ).all()
            }
            again = []
            for slot in slots:
                offer_id = known.get((slot.ae, slot.start))
                if offer_id is not None:
                    again.append(offer_id)
                else:
                    session.add(BookingOffer(sender_id=sender_id, ae_key=slot.ae, start=slot.start, end=slot.end,
                                             offered_at=now))  # fmt: skip
            if again:
                session.execute(update(BookingOffer).where(BookingOffer.id.in_(again)).values(offered_at=now))
            try:
                session.flush()
            except IntegrityError:  # the same offer recorded at once by another replica: it is there
                session.rollback()

    def held_by_others(self, sender_id: str, ae_keys: Sequence[str]) -> Set[Tuple[str, datetime]]:
        """The (AE, start) pairs offered lately (:data:`HOLD_WINDOW`) to other conversations that have not
        booked since: a new offer leaves them out when it can, so visitors don't race for one time."""
        since = self._clock.now() - HOLD_WINDOW
        booked_since = select(bookings.c.id).where(
            bookings.c.reference == BookingOffer.sender_id, bookings.c.created_at >= BookingOffer.offered_at
        )
        query = select(BookingOffer.ae_key, BookingOffer.start).where(
            BookingOffer.offered_at >= since,
            BookingOffer.sender_id != sender_id,
            BookingOffer.ae_key.in_(list(ae_keys)),
            ~exists(booked_since),
        )
        with self._unit() as session:
            return {(str(ae), start) for ae, start in session.execute(query).all()}

    def offered_at(self, sender_id: str, start: datetime, end: datetime, ae_key: str | None = None) -> datetime | None:
        """When this conversation was last offered ``[start, end)`` (with ``ae_key``, when given), within
        :data:`OFFER_VALID_FOR`; None when it was not."""
        query = select(func.max(BookingOffer.offered_at)).where(
            BookingOffer.sender_id == sender_id,
            BookingOffer.start == start,
            BookingOffer.end == end,
            BookingOffer.offered_at >= self._clock.now() - OFFER_VALID_FOR,
        )
        if ae_key is not None:
            query = query.where(BookingOffer.ae_key == ae_key)
        with self._unit() as session:
            return session.execute(query).scalar_one_or_none()
