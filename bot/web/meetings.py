"""The visitor's meeting page, reached by the signed link in the confirmation.

- ``GET /meetings/<token>``: the meeting in the visitor's time zone, with
  *Cancel* and a choice of other times with the same AE;
- ``POST /meetings/<token>/move`` (form field ``start``): moves it;
- ``POST /meetings/<token>/cancel``: cancels it;
- ``GET /meetings/<token>/invite.ics``: the meeting as an iCalendar file.

A link to a meeting that was moved (or given to another AE) leads to where it
went: the page says so, and the ``.ics``, *Move* and *Cancel* act on the meeting
as it is now. A forged or malformed token is a 404 that reveals nothing. Every value shown
is HTML-escaped. The calendar event is moved or cancelled through the same
booking service as the chat uses.
"""

from __future__ import annotations

import asyncio
import html
import logging
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, List
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, raw
from sanic.response import html as html_response

from bot.scheduling.scheduler import Scheduler
from bot.scheduling.zones import slot_label, zone_label
from bot.services import Services
from bot.web.headers import security_headers
from calendar_booking.availability import spread
from calendar_booking.booking import Booking
from calendar_booking.errors import BookingError, BookingNotFound, CalendarUnavailable, SlotTaken

logger = logging.getLogger(__name__)

MAX_FORM_BYTES = 2048
TEMPLATES_DIR = Path(__file__).parent / "templates"


@lru_cache(maxsize=1)
def _template() -> str:
    return (TEMPLATES_DIR / "meeting.html").read_text(encoding="utf-8")


def _page(request: Request, title: str, body: str, status: int = 200) -> HTTPResponse:
    page = _template().replace("{{ title }}", html.escape(title)).replace("{{ body }}", body)
    return html_response(page, status=status, headers=security_headers("'self'"))


def _not_found(request: Request) -> HTTPResponse:
    return _page(
        request, "Link not valid", "<p>This link is not valid. Please use the link from your confirmation.</p>", 404
    )


def _when(booking: Booking) -> str:
    zone = booking.visitor_timezone or booking.host_timezone
    end = booking.end.astimezone(ZoneInfo(zone))
    return f"{slot_label(booking.start, zone)}–{end:%H:%M}, {zone_label(zone, booking.start)}"


def _other_times(services: Services, booking: Booking) -> List[Any]:
    scheduler: Scheduler = services.scheduler
    free = scheduler.router.availability([booking.host_key], services.clock.now()).get(booking.host_key, [])
    zone = booking.visitor_timezone or booking.host_timezone
    return spread(free, 6, zone, per_day=2)


def _meeting_body(services: Services, booking: Booking, token: str, notice: str = "") -> str:
    ae = services.team.by_key.get(booking.host_key)
    who = html.escape(ae.name if ae else "our team")
    parts = [f'<p class="notice">{html.escape(notice)}</p>' if notice else ""]
    if not booking.active:
        parts.append(f"<p>Your meeting with {who} on {html.escape(_when(booking))} is cancelled.</p>")
        return "".join(parts)
    parts.append(f"<p>Your meeting with <strong>{who}</strong>: <strong>{html.escape(_when(booking))}</strong>.</p>")
    if booking.meet_link:
        parts.append(
            f'<p>Video call: <a href="{html.escape(booking.meet_link, quote=True)}">{html.escape(booking.meet_link)}</a></p>'
        )
    parts.append(f'<p><a href="/meetings/{token}/invite.ics" download>Add to my calendar (.ics)</a></p>')
    zone = booking.visitor_timezone or booking.host_timezone
    slots = _other_times(services, booking)
    if slots:
        buttons = "".join(
            f'<button class="cta" name="start" value="{html.escape(s.start.isoformat(), quote=True)}">{html.escape(slot_label(s.start, zone))}</button> '
            for s in slots
        )
        parts.append(f'<h2>Pick another time</h2><form method="post" action="/meetings/{token}/move">{buttons}</form>')
    parts.append(
        f'<h2>Can\'t make it?</h2><form method="post" action="/meetings/{token}/cancel">'
        '<button class="cta secondary">Cancel the meeting</button></form>'
    )
    return "".join(parts)


def invite_ics(booking: Booking, ae_name: str, ae_email: str | None, manage_url: str | None) -> bytes:
    """The meeting as an iCalendar (RFC 5545) file."""
    calendar = Calendar()
    calendar.add("prodid", "-//CQL Bot//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{booking.event_id}@cqlbot")
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", booking.start)
    event.add("dtend", booking.end)
    event.add("summary", f"Intro call with {ae_name}")
    lines = [f"Video call: {booking.meet_link}"] if booking.meet_link else []
    if manage_url:
        lines.append(f"Move or cancel: {manage_url}")
    event.add("description", "\n".join(lines) or "Intro call")
    event.add("status", "CONFIRMED" if booking.active else "CANCELLED")
    if ae_email:
        organizer = vCalAddress(f"mailto:{ae_email}")
        organizer.params["cn"] = vText(ae_name)
        event["organizer"] = organizer
    if booking.attendee_email:
        event.add("attendee", f"mailto:{booking.attendee_email}")
    calendar.add_component(event)
    return calendar.to_ical()


def setup_meetings(app: Sanic) -> None:
    def lookup(token: str) -> tuple[Services, Booking | None]:
        services: Services = app.ctx.services
        links = services.links
        booking_id = links.booking_id(token) if links else None
        return services, services.bookings.get(booking_id) if booking_id else None

    def lookup_current(token: str) -> tuple[Services, Booking | None, str, str]:
        """The link's booking, or the one it was moved to: with that booking's own token and a notice."""
        services, booking = lookup(token)
        if booking is None or booking.replaced_by is None or services.links is None:
            return services, booking, token, ""
        current = services.bookings.current(booking.id)
        if current is None or current.id == booking.id:
            return services, booking, token, ""
        return services, current, services.links.token(current.id), f"This meeting was moved to {_when(current)}."

    @app.get("/meetings/<token:str>")
    async def meeting(request: Request, token: str) -> HTTPResponse:
        services, booking, token, notice = await asyncio.to_thread(lookup_current, token)
        if booking is None:
            return _not_found(request)
        body = await asyncio.to_thread(_meeting_body, services, booking, token, notice)
        return _page(request, "Your meeting", body)

    @app.get("/meetings/<token:str>/invite.ics")
    async def invite(request: Request, token: str) -> HTTPResponse:
        services, booking, _token, _notice = await asyncio.to_thread(lookup_current, token)
        if booking is None:
            return _not_found(request)
        ae = services.team.by_key.get(booking.host_key)
        links = services.links
        ics = invite_ics(
            booking,
            ae.name if ae else "our team",
            ae.email if ae else None,
            links.manage_url(booking.id) if links else None,
        )
        return raw(
            ics,
            content_type="text/calendar; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="meeting.ics"'},
        )

    @app.post("/meetings/<token:str>/cancel")
    async def cancel(request: Request, token: str) -> HTTPResponse:
        services, booking, token, _notice = await asyncio.to_thread(lookup_current, token)
        if booking is None:
            return _not_found(request)
        notice = "Your meeting is cancelled. The calendar invite is withdrawn."
        status = 200
        try:
            booking = await asyncio.to_thread(services.bookings.cancel, booking.id)
        except BookingNotFound:
            notice = "This meeting was already cancelled."
        except CalendarUnavailable:
            logger.exception("cancelling booking %s failed", booking.id)
            notice, status = (
                "We couldn't reach the calendar just now, so the meeting still stands. Please try again in a minute.",
                503,
            )
        fresh = await asyncio.to_thread(services.bookings.get, booking.id)
        return _page(request, "Your meeting", _meeting_body(services, fresh or booking, token, notice), status)

    @app.post("/meetings/<token:str>/move")
    async def move(request: Request, token: str) -> HTTPResponse:
        services, booking, token, _notice = await asyncio.to_thread(lookup_current, token)
        if booking is None:
            return _not_found(request)
        if len(request.body or b"") > MAX_FORM_BYTES:
            return _page(request, "Your meeting", "<p>That request was too large.</p>", 413)
        raw_start = request.form.get("start") if request.form else None
        try:
            start = datetime.fromisoformat(str(raw_start)) if raw_start else None
        except ValueError:
            start = None
        if start is None or start.tzinfo is None:
            return _page(
                request,
                "Your meeting",
                _meeting_body(services, booking, token, "Please pick one of the times below."),
                400,
            )
        if not booking.active:
            return _page(
                request,
                "Your meeting",
                _meeting_body(services, booking, token, "This meeting was cancelled; book a new one in the chat."),
                409,
            )
        if all(slot.start != start for slot in await asyncio.to_thread(_other_times, services, booking)):
            return _page(
                request,
                "Your meeting",
                _meeting_body(services, booking, token, "That time is no longer free. Here are the current times."),
                409,
            )
        ae = services.team.by_key.get(booking.host_key)
        if ae is None:  # the AE left the team since: nobody to move the meeting with
            return _page(
                request, "Your meeting", _meeting_body(services, booking, token, "Please book anew in the chat."), 409
            )
        try:
            moved = await asyncio.to_thread(services.bookings.reschedule, booking.id, start, ae.schedule())
        except SlotTaken:
            return _page(
                request,
                "Your meeting",
                _meeting_body(services, booking, token, "That time was just taken. Here are the current times."),
                409,
            )
        except BookingError:
            logger.exception("moving booking %s failed", booking.id)
            return _page(
                request,
                "Your meeting",
                _meeting_body(
                    services, booking, token, "We couldn't reach the calendar just now; your meeting is unchanged."
                ),
                503,
            )
        links = services.links
        assert links is not None
        new_token = links.token(moved.id)
        body = _meeting_body(services, moved, new_token, "Your meeting is moved. The calendar invite is updated.")
        return _page(request, "Your meeting", body)
