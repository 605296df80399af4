"""The visitor's meeting page, reached by the signed link in the confirmation.

- ``GET /meetings/<token>``: the meeting in the visitor's time zone, with
  *Cancel* and a choice of other times with the same AE;
- ``POST /meetings/<token>/move`` (form field ``start``): moves it;
- ``POST /meetings/<token>/cancel``: cancels it;
- ``GET /meetings/<token>/invite.ics``: the meeting as an iCalendar file.

A link to a meeting that was moved (or given to another AE) leads to where it
went: the page says so, and the ``.ics``, *Move* and *Cancel* act on the meeting
as it is now. A forged or malformed token is a 404 that reveals nothing (in the
browser's language). Every value shown is HTML-escaped. The calendar event is moved
or cancelled through the same booking service as the chat uses.

The page and the ``.ics`` speak the language of the conversation that booked the
meeting (its words in ``ops/phrases.yml``, its dates by Babel), and say so: the
page's ``lang`` attribute, the invite's ``LANGUAGE`` parameter.
"""

from __future__ import annotations

import asyncio
import html
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, List

from icalendar import Calendar, Event, vCalAddress, vText
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, raw
from sanic.response import html as html_response

from bot.conversation.phrases import phrase
from bot.languages import DEFAULT_LANGUAGE, MAX_TAGS, browser_languages, preferred_language
from bot.scheduling.scheduler import Scheduler
from bot.scheduling.zones import slot_label, time_label, zone_label
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


def _say(key: str, language: str, **values: str) -> str:
    """A phrase of ``ops/phrases.yml`` in ``language``, filled in."""
    return phrase(key, language).format(**values) if values else phrase(key, language)


def _say_html(key: str, language: str, **values: str) -> str:
    """A phrase as HTML: its text escaped, ``values`` (HTML already escaped) filled in."""
    template = html.escape(phrase(key, language))
    return template.format(**values) if values else template


def _page(title: str, body: str, language: str, status: int = 200) -> HTTPResponse:
    page = (
        _template()
        .replace("{{ lang }}", html.escape(language, quote=True))
        .replace("{{ title }}", html.escape(title))
        .replace("{{ body }}", body)
    )
    return html_response(page, status=status, headers=security_headers("'self'"))


def _meeting_page(body: str, language: str, status: int = 200) -> HTTPResponse:
    return _page(_say("meeting_title", language), body, language, status)


def request_language(request: Request) -> str:
    """The first language of the browser's ``Accept-Language`` the bot speaks, else the default:
    for a page that has no meeting (so no conversation) to take the language from."""
    header = str(request.headers.get("accept-language") or "")[:500]
    tags = [part.split(";", 1)[0].strip() for part in header.split(",")[:MAX_TAGS]]
    return preferred_language(browser_languages(tags)) or DEFAULT_LANGUAGE


def _not_found(request: Request) -> HTTPResponse:
    language = request_language(request)
    body = f"<p>{_say_html('meeting_link_invalid', language)}</p>"
    return _page(_say("meeting_link_invalid_title", language), body, language, 404)


def _when(booking: Booking, language: str = DEFAULT_LANGUAGE) -> str:
    zone = booking.visitor_timezone or booking.host_timezone
    start, end = slot_label(booking.start, zone, language), time_label(booking.end, zone, language)
    return f"{start}–{end}, {zone_label(zone, booking.start)}"


def _other_times(services: Services, booking: Booking) -> List[Any]:
    scheduler: Scheduler = services.scheduler
    free = scheduler.router.availability([booking.host_key], services.clock.now()).get(booking.host_key, [])
    zone = booking.visitor_timezone or booking.host_timezone
    return spread(free, 6, zone, per_day=2)


def _ae_name(services: Services, booking: Booking, language: str) -> str:
    ae = services.team.by_key.get(booking.host_key)
    return ae.name if ae else phrase("our_team", language)


def _meeting_body(services: Services, booking: Booking, token: str, language: str, notice: str = "") -> str:
    who = html.escape(_ae_name(services, booking, language))
    when = html.escape(_when(booking, language))
    parts = [f'<p class="notice">{html.escape(notice)}</p>' if notice else ""]
    if not booking.active:
        parts.append(f"<p>{_say_html('meeting_is_cancelled', language, ae=who, when=when)}</p>")
        return "".join(parts)
    strong = {"ae": f"<strong>{who}</strong>", "when": f"<strong>{when}</strong>"}
    parts.append(f"<p>{_say_html('meeting_with', language, **strong)}</p>")
    if booking.meet_link:
        link = html.escape(booking.meet_link, quote=True)
        parts.append(
            f'<p>{_say_html("meeting_video_call", language)} <a href="{link}">{html.escape(booking.meet_link)}</a></p>'
        )
    parts.append(
        f'<p><a href="/meetings/{token}/invite.ics" download>{_say_html("meeting_add_to_calendar", language)}</a></p>'
    )
    zone = booking.visitor_timezone or booking.host_timezone
    slots = _other_times(services, booking)
    if slots:
        buttons = "".join(
            f'<button class="cta" name="start" value="{html.escape(s.start.isoformat(), quote=True)}">'
            f"{html.escape(slot_label(s.start, zone, language))}</button> "
            for s in slots
        )
        parts.append(
            f"<h2>{_say_html('meeting_pick_another', language)}</h2>"
            f'<form method="post" action="/meetings/{token}/move">{buttons}</form>'
        )
    parts.append(
        f"<h2>{_say_html('meeting_cant_make_it', language)}</h2>"
        f'<form method="post" action="/meetings/{token}/cancel">'
        f'<button class="cta secondary">{_say_html("meeting_cancel", language)}</button></form>'
    )
    return "".join(parts)


def invite_ics(
    booking: Booking, ae_name: str, ae_email: str | None, manage_url: str | None, language: str = DEFAULT_LANGUAGE
) -> bytes:
    """The meeting as an iCalendar (RFC 5545) file, its summary and description in ``language``."""
    calendar = Calendar()
    calendar.add("prodid", "-//CQL Bot//Meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{booking.event_id}@cqlbot")
    event.add("dtstamp", datetime.now(UTC))
    event.add("dtstart", booking.start)
    event.add("dtend", booking.end)
    summary = _say("ics_summary", language, ae=ae_name)
    event.add("summary", summary, parameters={"LANGUAGE": language})
    lines = [f"{_say('meeting_video_call', language)} {booking.meet_link}"] if booking.meet_link else []
    if manage_url:
        lines.append(_say("ics_manage", language, url=manage_url))
    event.add("description", "\n".join(lines) or summary, parameters={"LANGUAGE": language})
    event.add("status", "CONFIRMED" if booking.active else "CANCELLED")
    if ae_email:
        organizer = vCalAddress(f"mailto:{ae_email}")
        organizer.params["cn"] = vText(ae_name)
        event["organizer"] = organizer
    if booking.attendee_email:
        event.add("attendee", f"mailto:{booking.attendee_email}")
    calendar.add_component(event)
    return calendar.to_ical()


@dataclass(frozen=True)
class _Found:
    """A meeting link's booking as it is now, the token to act on it, what the page says
    first, and the language of the conversation that booked it."""

    services: Services
    booking: Booking | None
    token: str
    language: str
    notice: str = ""


def setup_meetings(app: Sanic) -> None:
    def lookup_current(token: str) -> _Found:
        """The link's booking, or the one it was moved to: with that booking's own token and a notice."""
        services: Services = app.ctx.services
        links = services.links
        booking_id = links.booking_id(token) if links else None
        booking = services.bookings.get(booking_id) if booking_id else None
        if booking is None:
            return _Found(services, None, token, DEFAULT_LANGUAGE)
        language = services.leads.conversation_language(booking.reference)
        if booking.replaced_by is None or links is None:
            return _Found(services, booking, token, language)
        current = services.bookings.current(booking.id)
        if current is None or current.id == booking.id:
            return _Found(services, booking, token, language)
        notice = _say("meeting_moved_to", language, when=_when(current, language))
        return _Found(services, current, links.token(current.id), language, notice)

    def answer(
        found: _Found, notice_key: str | None, status: int = 200, booking: Booking | None = None
    ) -> HTTPResponse:
        """The meeting page of ``booking`` (by default the link's), with a notice by its phrase key."""
        language = found.language
        notice = _say(notice_key, language) if notice_key else ""
        body = _meeting_body(found.services, booking or found.booking, found.token, language, notice)  # type: ignore[arg-type]
        return _meeting_page(body, language, status)

    @app.get("/meetings/<token:str>")
    async def meeting(request: Request, token: str) -> HTTPResponse:
        found = await asyncio.to_thread(lookup_current, token)
        if found.booking is None:
            return _not_found(request)
        body = await asyncio.to_thread(
            _meeting_body, found.services, found.booking, found.token, found.language, found.notice
        )
        return _meeting_page(body, found.language)

    @app.get("/meetings/<token:str>/invite.ics")
    async def invite(request: Request, token: str) -> HTTPResponse:
        found = await asyncio.to_thread(lookup_current, token)
        services, booking = found.services, found.booking
        if booking is None:
            return _not_found(request)
        ae = services.team.by_key.get(booking.host_key)
        links = services.links
        ics = invite_ics(
            booking,
            _ae_name(services, booking, found.language),
            ae.email if ae else None,
            links.manage_url(booking.id) if links else None,
            found.language,
        )
        return raw(
            ics,
            content_type="text/calendar; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="meeting.ics"'},
        )

    @app.post("/meetings/<token:str>/cancel")
    async def cancel(request: Request, token: str) -> HTTPResponse:
        found = await asyncio.to_thread(lookup_current, token)
        services, booking = found.services, found.booking
        if booking is None:
            return _not_found(request)
        notice, status = "meeting_cancelled_now", 200
        try:
            booking = await asyncio.to_thread(services.bookings.cancel, booking.id)
        except BookingNotFound:
            notice = "meeting_already_cancelled"
        except CalendarUnavailable:
            logger.exception("cancelling booking %s failed", booking.id)
            notice, status = "meeting_calendar_down_stands", 503
        fresh = await asyncio.to_thread(services.bookings.get, booking.id)
        return answer(found, notice, status, fresh or booking)

    @app.post("/meetings/<token:str>/move")
    async def move(request: Request, token: str) -> HTTPResponse:
        found = await asyncio.to_thread(lookup_current, token)
        services, booking = found.services, found.booking
        if booking is None:
            return _not_found(request)
        if len(request.body or b"") > MAX_FORM_BYTES:
            return _meeting_page(f"<p>{_say_html('meeting_too_large', found.language)}</p>", found.language, 413)
        raw_start = request.form.get("start") if request.form else None
        try:
            start = datetime.fromisoformat(str(raw_start)) if raw_start else None
        except ValueError:
            start = None
        if start is None or start.tzinfo is None:
            return answer(found, "meeting_pick_below", 400)
        if not booking.active:
            return answer(found, "meeting_cancelled_book_anew", 409)
        if all(slot.start != start for slot in await asyncio.to_thread(_other_times, services, booking)):
            return answer(found, "meeting_time_gone", 409)
        ae = services.team.by_key.get(booking.host_key)
        if ae is None:  # the AE left the team since: nobody to move the meeting with
            return answer(found, "meeting_book_anew", 409)
        try:
            moved = await asyncio.to_thread(services.bookings.reschedule, booking.id, start, ae.schedule())
        except SlotTaken:
            return answer(found, "meeting_time_taken", 409)
        except BookingError:
            logger.exception("moving booking %s failed", booking.id)
            return answer(found, "meeting_calendar_down_unchanged", 503)
        links = services.links
        assert links is not None
        moved_to = _Found(services, moved, links.token(moved.id), found.language)
        return answer(moved_to, "meeting_moved")
