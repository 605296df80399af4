"""Google Calendar through ``google-api-python-client``.

* Credentials: a service account with domain-wide delegation (each call acts
  as the AE, ``with_subject``) or an AE's own OAuth refresh token; see
  :func:`service_account_http` and :func:`oauth_http`.
* Busy times from ``freebusy.query``; meetings by ``events.insert`` with the
  visitor as attendee, a Meet link (``conferenceData.createRequest``,
  ``conferenceDataVersion=1``) and ``sendUpdates="all"``; an erased visitor's
  details leave the event by ``events.patch`` (``sendUpdates="none"``).
* The event id is ours (derived from the booking id), so a retried insert
  answers 409 and is treated as done.
* Every call gets a fresh authorised ``httplib2.Http`` (it is not
  thread-safe) with a timeout, and is retried with backoff on 429, 5xx,
  rate-limit 403s and timeouts. The discovery document is the one the
  package ships (no network at start-up).
* Errors leave as :mod:`calendar_booking.errors`.
"""

from __future__ import annotations

import json
import logging
import random
import socket
import time
from datetime import UTC, datetime
from functools import lru_cache, partial
from typing import Any, Callable, Dict, List, Mapping, Sequence
from zoneinfo import ZoneInfo

import httplib2
from googleapiclient.discovery import build_from_document
from googleapiclient.discovery_cache import get_static_doc
from googleapiclient.errors import HttpError

from calendar_booking.availability import Interval
from calendar_booking.errors import CalendarAuthError, CalendarUnavailable
from calendar_booking.port import CreatedEvent, EventRequest

logger = logging.getLogger(__name__)

SCOPES = ("https://www.googleapis.com/auth/calendar",)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})
TRANSIENT_ERRORS = (socket.timeout, TimeoutError, ConnectionError, httplib2.HttpLib2Error)

#: Builds an authorised HTTP object for the owner of a calendar id.
HttpFactory = Callable[[str], Any]


@lru_cache(maxsize=1)
def _discovery() -> Dict[str, Any]:
    document = get_static_doc("calendar", "v3")
    if document is None:  # pragma: no cover - the package ships it
        raise CalendarUnavailable("the Calendar discovery document is missing from google-api-python-client")
    return dict(json.loads(document))


class GoogleCalendar:
    """Implements :class:`~calendar_booking.port.CalendarPort` on Google Calendar."""

    def __init__(
        self,
        http_for: HttpFactory,
        *,
        retries: int = 3,
        backoff_seconds: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._http_for = http_for
        self._retries = retries
        self._backoff = backoff_seconds
        self._sleep = sleep

    def _service(self, calendar_id: str) -> Any:
        return build_from_document(_discovery(), http=self._http_for(calendar_id))

    def _execute(self, what: str, make_request: Callable[[], Any], passthrough: frozenset[int] = frozenset()) -> Any:
        """Runs a request with bounded retries; translates the failures. An
        HttpError whose status is in ``passthrough`` reaches the caller as is."""
        for attempt in range(self._retries + 1):
            try:
                return make_request().execute()
            except HttpError as exc:
                status = int(exc.resp.status)
                if status in (401,) or (status == 403 and _reason(exc) not in RATE_LIMIT_REASONS):
                    raise CalendarAuthError(
                        f"{what}: Google refused our credentials ({status} {_reason(exc)})"
                    ) from exc
                if status in passthrough:
                    raise
                if status not in RETRY_STATUSES and status != 403:
                    raise CalendarUnavailable(f"{what}: Google answered {status} {_reason(exc)}") from exc
                failure: Exception = exc
            except TRANSIENT_ERRORS as exc:
                failure = exc
            if attempt < self._retries:
                delay = self._backoff * (2**attempt) * (1 + random.random() / 2)  # noqa: S311 - jitter, not security
                logger.warning("%s failed (%s); retrying in %.1fs", what, failure.__class__.__name__, delay)
                self._sleep(delay)
        raise CalendarUnavailable(
            f"{what}: Google Calendar did not answer after {self._retries + 1} tries"
        ) from failure

    def busy(self, calendar_ids: Sequence[str], start: datetime, end: datetime) -> Dict[str, List[Interval]]:
        result: Dict[str, List[Interval]] = {}
        for calendar_id in calendar_ids:
            body = {
                "timeMin": _rfc3339(start),
                "timeMax": _rfc3339(end),
                "timeZone": "UTC",
                "items": [{"id": calendar_id}],
            }
            service = self._service(calendar_id)
            answer = self._execute("freebusy.query", partial(service.freebusy().query, body=body))
            calendar = (answer.get("calendars") or {}).get(calendar_id) or {}
            if calendar.get("errors"):
                reasons = ",".join(str(e.get("reason")) for e in calendar["errors"])
                raise CalendarUnavailable(f"freebusy.query: calendar not readable ({reasons})")
            result[calendar_id] = [
                Interval(_parse(block["start"]), _parse(block["end"])) for block in calendar.get("busy", [])
            ]
        return result

    def create_event(self, request: EventRequest) -> CreatedEvent:
        body = event_body(request)
        service = self._service(request.calendar_id)
        try:
            event = self._execute(
                "events.insert",
                lambda: service.events().insert(
                    calendarId=request.calendar_id, body=body, conferenceDataVersion=1, sendUpdates="all"
                ),
                passthrough=frozenset({409}),
            )
        except HttpError:
            # Our id already exists: an earlier try went through. Read it back.
            logger.info("event %s already exists; treating the insert as done", request.event_id)
            event = self._execute(
                "events.get", lambda: service.events().get(calendarId=request.calendar_id, eventId=request.event_id)
            )
        return CreatedEvent(
            event_id=event.get("id", request.event_id),
            html_link=event.get("htmlLink"),
            meet_link=event.get("hangoutLink") or _meet_link(event),
            invites_sent=True,
        )

    def cancel_event(self, calendar_id: str, event_id: str) -> None:
        service = self._service(calendar_id)
        try:
            self._execute(
                "events.delete",
                lambda: service.events().delete(calendarId=calendar_id, eventId=event_id, sendUpdates="all"),
                passthrough=frozenset({404, 410}),
            )
        except HttpError:
            logger.info("event %s was already gone", event_id)

    def scrub_event(self, calendar_id: str, event_id: str, title: str) -> None:
        service = self._service(calendar_id)
        body = {"summary": title, "description": "", "attendees": []}
        try:
            self._execute(
                "events.patch",
                lambda: service.events().patch(calendarId=calendar_id, eventId=event_id, body=body, sendUpdates="none"),
                passthrough=frozenset({404, 410}),
            )
        except HttpError:
            logger.info("event %s was already gone", event_id)


def event_body(request: EventRequest) -> Dict[str, Any]:
    """The ``events.insert`` body for ``request``."""
    zone = ZoneInfo(request.timezone)
    attendee: Dict[str, Any] = {"email": request.attendee.email}
    if request.attendee.name:
        attendee["displayName"] = request.attendee.name
    return {
        "id": request.event_id,
        "summary": request.title,
        "description": request.description,
        "start": {"dateTime": request.start.astimezone(zone).isoformat(), "timeZone": request.timezone},
        "end": {"dateTime": request.end.astimezone(zone).isoformat(), "timeZone": request.timezone},
        "attendees": [attendee],
        "conferenceData": {
            "createRequest": {"requestId": request.event_id, "conferenceSolutionKey": {"type": "hangoutsMeet"}}
        },
        "reminders": {"useDefault": True},
        "guestsCanModify": False,
    }


def _reason(exc: HttpError) -> str:
    try:
        details = json.loads(exc.content.decode("utf-8"))["error"]["errors"]
        return str(details[0].get("reason", ""))
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return ""


def _meet_link(event: Mapping[str, Any]) -> str | None:
    for entry in (event.get("conferenceData") or {}).get("entryPoints", []):
        if entry.get("entryPointType") == "video":
            return str(entry.get("uri"))
    return None


def _rfc3339(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def service_account_http(
    key_info: Mapping[str, Any], subject_for: Callable[[str], str], timeout: float = 10.0
) -> HttpFactory:
    """Acts as each calendar's owner through domain-wide delegation."""
    from google.oauth2 import service_account
    from google_auth_httplib2 import AuthorizedHttp

    credentials = service_account.Credentials.from_service_account_info(dict(key_info), scopes=list(SCOPES))

    def http_for(calendar_id: str) -> Any:
        return AuthorizedHttp(credentials.with_subject(subject_for(calendar_id)), http=httplib2.Http(timeout=timeout))

    return http_for


def oauth_http(
    client_id: str, client_secret: str, refresh_token_for: Callable[[str], str], timeout: float = 10.0
) -> HttpFactory:
    """Acts with each AE's own OAuth refresh token."""
    from google.oauth2.credentials import Credentials
    from google_auth_httplib2 import AuthorizedHttp

    def http_for(calendar_id: str) -> Any:
        credentials = Credentials(
            token=None,
            refresh_token=refresh_token_for(calendar_id),
            client_id=client_id,
            client_secret=client_secret,
            token_uri="https://oauth2.googleapis.com/token",  # noqa: S106 - a URL, not a secret
            scopes=list(SCOPES),
        )
        return AuthorizedHttp(credentials, http=httplib2.Http(timeout=timeout))

    return http_for
