"""The booking service: a slot is reserved, put on the calendar, and confirmed,
or nothing remains of it.

The order is what makes a double booking impossible:

1. check that the host's availability offers that very time now (working
   hours, grid, notice, horizon, holidays, absences), whatever the caller
   believes was offered, and ask the calendar whether the slot (with its
   buffers) is still free;
2. reserve it in one transaction that first locks the host's row, then checks
   overlaps and the daily cap, inserts the booking under the unique
   (host, active start) constraint, and moves the host's round-robin counters;
3. create the calendar event under an id derived from the booking id, so a
   retried insert finds the same event;
4. mark the booking confirmed.

If step 3 fails the reservation is released in one transaction (counters
too), and the caller learns why.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Callable, Dict, List, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from calendar_booking.availability import BookingRules, HostSchedule, offers_slot
from calendar_booking.errors import BookingNotFound, CalendarUnavailable, SlotNotOffered, SlotTaken
from calendar_booking.port import Attendee, CalendarPort, Clock, CreatedEvent, EventRequest
from calendar_booking.tables import booking_hosts, bookings

logger = logging.getLogger(__name__)

RESERVED = "reserved"
CONFIRMED = "confirmed"
RELEASED = "released"
CANCELLED = "cancelled"
#: How many moves :meth:`BookingService.current` follows from an old booking to its latest one.
MAX_REPLACEMENTS = 20
#: How long after a time was offered its notice still counts from the offer (see
#: :attr:`BookingRequest.offered_at`); the calendar, the hours and a start in the past are
#: checked against now whatever the offer says.
NOTICE_GRACE = timedelta(minutes=15)


@dataclass(frozen=True)
class BookingRequest:
    """A visitor's pick: this host (``schedule``: hours, zone, cap), this slot, this attendee."""

    schedule: HostSchedule
    calendar_id: str
    start: datetime
    end: datetime
    reference: str
    attendee: Attendee
    title: str
    description: str
    visitor_timezone: str | None = None
    organizer_email: str | None = None
    #: When the visitor was shown this time: the notice is counted from then, for
    #: :data:`NOTICE_GRACE`, so a time tapped a minute after it was offered is not refused
    #: because the minimum notice passed its start meanwhile.
    offered_at: datetime | None = None

    @property
    def host_key(self) -> str:
        return self.schedule.key

    @property
    def host_timezone(self) -> str:
        return self.schedule.timezone

    @property
    def daily_cap(self) -> int | None:
        return self.schedule.daily_cap


@dataclass(frozen=True)
class Booking:
    id: str
    host_key: str
    calendar_id: str
    start: datetime
    end: datetime
    status: str
    reference: str
    event_id: str
    host_timezone: str
    visitor_timezone: str | None = None
    attendee_email: str | None = None
    attendee_name: str | None = None
    meet_link: str | None = None
    html_link: str | None = None
    invites_sent: bool = False
    title: str | None = None
    description: str | None = None
    replaced_by: str | None = None

    @property
    def active(self) -> bool:
        return self.status in (RESERVED, CONFIRMED)


#: Called inside the transaction that confirms, moves or cancels a booking,
#: with that transaction's connection, the event (``booked``, ``moved``,
#: ``cancelled``) and the booking id: whatever it writes commits or rolls
#: back with the booking (the caller's outbox, say).
BookingEvents = Callable[[Connection, str, str], None]


@dataclass(frozen=True)
class HostLoad:
    """A host's bookings this month, for fair round-robin."""

    month_count: int
    last_booked_at: datetime | None
    first_seen_at: datetime | None


def event_id_for(booking_id: str) -> str:
    """The calendar event id of a booking: base32hex characters only, as Google requires."""
    return f"cqlb{booking_id}"


def month_of(at: datetime) -> str:
    return at.strftime("%Y-%m")


class BookingService:
    """Books, cancels and reads meetings; safe with any number of replicas."""

    def __init__(
        self,
        engine: Engine,
        calendar: CalendarPort,
        clock: Clock,
        rules: BookingRules,
        new_id: Callable[[], str] = lambda: uuid.uuid4().hex,
        events: BookingEvents | None = None,
    ) -> None:
        self._engine = engine
        self._calendar = calendar
        self._clock = clock
        self._rules = rules
        self._new_id = new_id
        self._events = events

    def _emit(self, connection: Connection, event: str, booking_id: str) -> None:
        if self._events is not None:
            self._events(connection, event, booking_id)

    @property
    def calendar(self) -> CalendarPort:
        return self._calendar

    # -- booking ----------------------------------------------------------------

    def book(self, request: BookingRequest, event: str = "booked") -> Booking:
        """Books ``request``'s slot.

        Raises:
            SlotNotOffered: the host's availability does not offer that time now.
            SlotTaken: the slot is busy, booked by someone else, in the past, or over the cap.
            CalendarUnavailable: the calendar or the database failed; nothing stays booked.
        """
        if request.start <= self._clock.now():
            raise SlotTaken("the slot has already started")
        self._check_calendar(request)
        booking_id = self._reserve(request)
        try:
            created = self._calendar.create_event(
                EventRequest(
                    calendar_id=request.calendar_id,
                    event_id=event_id_for(booking_id),
                    start=request.start,
                    end=request.end,
                    timezone=request.host_timezone,
                    title=request.title,
                    description=request.description,
                    attendee=request.attendee,
                    organizer_email=request.organizer_email,
                )
            )
        except CalendarUnavailable as exc:
            self._release(booking_id, RELEASED, failure=exc.__class__.__name__)
            raise
        return self._confirm(booking_id, created, event)

    def _notice_from(self, request: BookingRequest) -> datetime:
        """The time the availability rules are read at: the offer's, while it is fresh."""
        now = self._clock.now()
        offered_at = request.offered_at
        if offered_at is not None and now - NOTICE_GRACE <= offered_at <= now:
            return offered_at
        return now

    def _check_calendar(self, request: BookingRequest) -> None:
        window_start = request.start - timedelta(minutes=self._rules.buffer_before_minutes)
        window_end = request.end + timedelta(minutes=self._rules.buffer_after_minutes)
        busy = self._calendar.busy([request.calendar_id], window_start, window_end).get(request.calendar_id, [])
        if any(block.start < window_end and block.end > window_start for block in busy):
            raise SlotTaken("the calendar shows the slot busy")
        if not offers_slot(request.schedule, busy, self._rules, self._notice_from(request), request.start, request.end):
            raise SlotNotOffered(f"{request.host_key}'s availability does not offer {request.start.isoformat()}")

    def _reserve(self, request: BookingRequest) -> str:
        booking_id = self._new_id()
        now = self._clock.now()
        before = timedelta(minutes=self._rules.buffer_before_minutes)
        after = timedelta(minutes=self._rules.buffer_after_minutes)
        for _attempt in range(3):
            try:
                with self._engine.begin() as connection:
                    self._lock_host(connection, request.host_key, now)
                    clash = connection.execute(
                        select(func.count())
                        .select_from(bookings)
                        .where(
                            bookings.c.host_key == request.host_key,
                            bookings.c.active_start.isnot(None),
                            bookings.c.start < request.end + after,
                            bookings.c.end > request.start - before,
                        )
                    ).scalar_one()
                    if clash:
                        raise SlotTaken("another booking holds the slot")
                    if request.daily_cap is not None and self._booked_on_day(connection, request) >= request.daily_cap:
                        raise SlotTaken("the host's day is full")
                    connection.execute(
                        insert(bookings).values(
                            id=booking_id, host_key=request.host_key, calendar_id=request.calendar_id,
                            start=request.start, end=request.end, active_start=request.start,
                            host_timezone=request.host_timezone, status=RESERVED, reference=request.reference[:255],
                            attendee_email=request.attendee.email, attendee_name=request.attendee.name,
                            visitor_timezone=request.visitor_timezone, event_id=event_id_for(booking_id),
                            title=request.title[:300], description=request.description, created_at=now, updated_at=now,
                        )
                    )  # fmt: skip
                    self._count(connection, request.host_key, now, +1)
                return booking_id
            except IntegrityError as exc:
                if "booking_hosts" in str(exc.orig) or "pk_booking_hosts" in str(exc.orig):
                    continue  # another replica created the host row first: lock it and go again
                raise SlotTaken("another booking holds the slot") from exc
            except SQLAlchemyError as exc:
                raise CalendarUnavailable(f"booking store failed: {exc.__class__.__name__}") from exc
        raise CalendarUnavailable("could not lock the host's row")

    def _lock_host(self, connection: Connection, host_key: str, now: datetime) -> None:
        """Takes the host's lock: an UPDATE first, so SQLite takes its write
        lock before reading and PostgreSQL holds the row until commit."""
        locked = connection.execute(
            update(booking_hosts).where(booking_hosts.c.key == host_key).values(version=booking_hosts.c.version + 1)
        ).rowcount
        if not locked:
            connection.execute(
                insert(booking_hosts).values(
                    key=host_key, month=month_of(now), month_count=0, first_seen_at=now, version=1
                )
            )

    def _booked_on_day(self, connection: Connection, request: BookingRequest) -> int:
        zone = ZoneInfo(request.host_timezone)
        day = request.start.astimezone(zone).date()
        day_start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
        day_end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        return int(
            connection.execute(
                select(func.count())
                .select_from(bookings)
                .where(
                    bookings.c.host_key == request.host_key,
                    bookings.c.active_start.isnot(None),
                    bookings.c.start >= day_start,
                    bookings.c.start < day_end,
                )
            ).scalar_one()
        )

    def _count(self, connection: Connection, host_key: str, at: datetime, delta: int) -> None:
        row = connection.execute(select(booking_hosts).where(booking_hosts.c.key == host_key)).one()
        month = month_of(at)
        if delta > 0:
            count = row.month_count + 1 if row.month == month else 1
            values = {"month": month, "month_count": count, "last_booked_at": at}
        elif row.month == month:
            values = {"month_count": max(0, row.month_count - 1)}
        else:
            return
        connection.execute(update(booking_hosts).where(booking_hosts.c.key == host_key).values(**values))

    def _confirm(self, booking_id: str, created: CreatedEvent, event: str) -> Booking:
        values = {
            "status": CONFIRMED,
            "html_link": created.html_link,
            "meet_link": created.meet_link,
            "updated_at": self._clock.now(),
        }
        for attempt in range(3):
            try:
                with self._engine.begin() as connection:
                    connection.execute(update(bookings).where(bookings.c.id == booking_id).values(**values))
                    self._emit(connection, event, booking_id)
                break
            except SQLAlchemyError:
                # The event exists and the reservation holds the slot: nothing is
                # double-booked; the booking reads "reserved" until a retry lands.
                logger.exception("confirming booking %s failed (attempt %d)", booking_id, attempt + 1)
        booking = self.get(booking_id)
        if booking is None:  # pragma: no cover - the row was inserted above
            raise BookingNotFound(booking_id)
        return replace(booking, invites_sent=created.invites_sent)

    def _release(self, booking_id: str, status: str, failure: str | None = None, notify: bool = True) -> None:
        now = self._clock.now()
        with self._engine.begin() as connection:
            row = connection.execute(select(bookings).where(bookings.c.id == booking_id)).one_or_none()
            if row is None or row.active_start is None:
                return
            self._lock_host(connection, row.host_key, now)
            connection.execute(
                update(bookings)
                .where(bookings.c.id == booking_id)
                .values(status=status, active_start=None, failure=failure, updated_at=now)
            )
            self._count(connection, row.host_key, row.created_at, -1)
            if status == CANCELLED and notify:
                self._emit(connection, "cancelled", booking_id)

    # -- after booking ---------------------------------------------------------------

    def cancel(self, booking_id: str, notify: bool = True, reference: str | None = None) -> Booking:
        """Cancels an active booking: the event first, then our row. With ``reference``,
        only a booking made for that reference (a conversation) can be cancelled.

        Raises:
            BookingNotFound: no active booking has that id (for that reference).
            CalendarUnavailable: the calendar could not cancel it; it stays booked.
        """
        booking = self.get(booking_id, reference)
        if booking is None or not booking.active:
            raise BookingNotFound(booking_id)
        self._calendar.cancel_event(booking.calendar_id, booking.event_id)
        try:
            self._release(booking_id, CANCELLED, notify=notify)
        except SQLAlchemyError as exc:
            raise CalendarUnavailable(f"booking store failed: {exc.__class__.__name__}") from exc
        cancelled = self.get(booking_id)
        assert cancelled is not None
        return cancelled

    def reschedule(
        self, booking_id: str, start: datetime, schedule: HostSchedule, reference: str | None = None
    ) -> Booking:
        """Moves an active booking to ``start`` with the same host (event ``moved``);
        ``schedule`` is that host's. With ``reference``, only that conversation's booking.

        Raises:
            BookingNotFound: no active booking has that id (for that reference).
            SlotNotOffered: the host's availability does not offer the new time.
            SlotTaken: the new time is not free.
            CalendarUnavailable: a calendar or the database failed.
        """
        old = self._active(booking_id, reference)
        if schedule.key != old.host_key:
            raise BookingNotFound(booking_id)  # a move keeps the host; another host is a reassignment
        return self._replace(old, schedule, old.calendar_id, start, "moved", False)

    def reassign(self, booking_id: str, schedule: HostSchedule, calendar_id: str) -> Booking:
        """Gives an active booking's slot to another host (``schedule``, ``calendar_id``;
        event ``reassigned``; the first host hears of the cancellation).

        Raises:
            BookingNotFound: no active booking has that id.
            SlotNotOffered: the other host's availability does not offer that time.
            SlotTaken: the other host is not free then.
            CalendarUnavailable: a calendar or the database failed.
        """
        old = self._active(booking_id)
        return self._replace(old, schedule, calendar_id, old.start, "reassigned", True)

    def _active(self, booking_id: str, reference: str | None = None) -> Booking:
        booking = self.get(booking_id, reference)
        if booking is None or not booking.active:
            raise BookingNotFound(booking_id)
        return booking

    def _replace(
        self, old: Booking, schedule: HostSchedule, calendar_id: str, start: datetime, event: str, notify_old: bool
    ) -> Booking:
        """Books the replacement first, then cancels ``old``, so the visitor is
        never left without a meeting; if ``old`` cannot be cancelled, the
        replacement is, and the error is raised."""
        new = self.book(
            BookingRequest(
                schedule=schedule, calendar_id=calendar_id, start=start, end=start + (old.end - old.start),
                reference=old.reference, attendee=Attendee(old.attendee_email or "", old.attendee_name),
                title=old.title or "Meeting", description=old.description or "", visitor_timezone=old.visitor_timezone,
            ),
            event=event,
        )  # fmt: skip
        try:
            self.cancel(old.id, notify=notify_old)
        except CalendarUnavailable:
            self.cancel(new.id, notify=False)
            raise
        try:
            with self._engine.begin() as connection:
                connection.execute(update(bookings).where(bookings.c.id == old.id).values(replaced_by=new.id))
        except SQLAlchemyError as exc:  # the move stands; only the old link can't say where it went
            logger.error("booking %s: recording its replacement failed (%s)", old.id, exc.__class__.__name__)
        return new

    def scrub_event(self, booking_id: str, title: str = "Meeting") -> None:
        """Takes the attendee's details out of a booking's calendar event (erasure; see
        :meth:`CalendarPort.scrub_event`). A booking that never made an event has nothing to scrub.

        Raises:
            CalendarUnavailable: the calendar did not answer; try again later.
        """
        booking = self.get(booking_id)
        if booking is not None and booking.status != RELEASED:
            self._calendar.scrub_event(booking.calendar_id, booking.event_id, title)

    # -- reads ------------------------------------------------------------------------

    def current(self, booking_id: str) -> Booking | None:
        """The booking with that id, or the one it was moved or reassigned to (and so on)."""
        booking = self.get(booking_id)
        for _ in range(MAX_REPLACEMENTS):
            following = self.get(booking.replaced_by) if booking and booking.replaced_by else None
            if following is None:
                break
            booking = following
        return booking

    def get(self, booking_id: str, reference: str | None = None) -> Booking | None:
        """The booking with that id; with ``reference``, only if it was made for that reference."""
        if not isinstance(booking_id, str) or not 0 < len(booking_id) <= 32:
            return None
        query = select(bookings).where(bookings.c.id == booking_id)
        if reference is not None:
            query = query.where(bookings.c.reference == reference)
        with self._engine.connect() as connection:
            row = connection.execute(query).one_or_none()
        return _booking(row) if row is not None else None

    def for_reference(self, reference: str) -> List[Booking]:
        """Every booking made for ``reference`` (a conversation), newest first."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(bookings).where(bookings.c.reference == reference).order_by(bookings.c.created_at.desc())
            ).all()
        return [_booking(row) for row in rows]

    def active_per_day(
        self, host_keys: Sequence[str], zones: Dict[str, str], start: datetime, end: datetime
    ) -> Dict[str, Dict[date, int]]:
        """Active bookings per host and host-local day, for daily caps."""
        counts: Dict[str, Dict[date, int]] = {key: {} for key in host_keys}
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(bookings.c.host_key, bookings.c.start).where(
                    and_(
                        bookings.c.host_key.in_(list(host_keys)),
                        bookings.c.active_start.isnot(None),
                        bookings.c.start >= start - timedelta(days=1),
                        bookings.c.start < end + timedelta(days=1),
                    )
                )
            ).all()
        for host_key, starts_at in rows:
            day = starts_at.astimezone(ZoneInfo(zones[host_key])).date()
            counts[host_key][day] = counts[host_key].get(day, 0) + 1
        return counts

    def host_loads(self, host_keys: Sequence[str]) -> Dict[str, HostLoad]:
        """This month's bookings and the last booking time of each host."""
        month = month_of(self._clock.now())
        with self._engine.connect() as connection:
            rows = connection.execute(select(booking_hosts).where(booking_hosts.c.key.in_(list(host_keys)))).all()
        found = {
            row.key: HostLoad(row.month_count if row.month == month else 0, row.last_booked_at, row.first_seen_at)
            for row in rows
        }
        return {key: found.get(key, HostLoad(0, None, None)) for key in host_keys}


def _booking(row: object) -> Booking:
    m = row._mapping  # type: ignore[attr-defined]
    return Booking(
        id=m["id"], host_key=m["host_key"], calendar_id=m["calendar_id"], start=m["start"], end=m["end"],
        status=m["status"], reference=m["reference"], event_id=m["event_id"], host_timezone=m["host_timezone"],
        visitor_timezone=m["visitor_timezone"], attendee_email=m["attendee_email"], attendee_name=m["attendee_name"],
        meet_link=m["meet_link"], html_link=m["html_link"], title=m["title"], description=m["description"],
        replaced_by=m["replaced_by"],
    )  # fmt: skip
