"""The Google Calendar adapter, driving the real google-api-python-client
(with the discovery document it ships) over ``HttpMockSequence``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, Dict, List, Tuple

import pytest
from googleapiclient.http import HttpMockSequence

from calendar_booking.errors import CalendarAuthError, CalendarUnavailable
from calendar_booking.google import GoogleCalendar
from calendar_booking.port import Attendee, EventRequest

START = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
CALENDAR = "dana.whitfield@cqlbot.example"
REQUEST = EventRequest(
    calendar_id=CALENDAR,
    event_id="cqlb0123456789abcdef0123456789abcdef",
    start=START,
    end=START + timedelta(minutes=30),
    timezone="America/New_York",
    title="Alpenwerk <> CQL Bot intro",
    description="Why: VP → +30",
    attendee=Attendee("ingrid.bauer@alpenwerk-gruppe.de", "Ingrid Bauer"),
)
CREATED = {
    "id": REQUEST.event_id,
    "htmlLink": "https://www.google.com/calendar/event?eid=abc",
    "hangoutLink": "https://meet.google.com/abc-defg-hij",
}


def error(status: int, reason: str = "backendError") -> Tuple[Dict[str, str], str]:
    return {"status": str(status)}, json.dumps(
        {"error": {"code": status, "errors": [{"reason": reason}], "message": reason}}
    )


def ok(body: Dict[str, Any]) -> Tuple[Dict[str, str], str]:
    return {"status": "200"}, json.dumps(body)


def calendar(responses: List[Tuple[Dict[str, str], str]]) -> Tuple[GoogleCalendar, HttpMockSequence, List[float]]:
    http = HttpMockSequence(responses)
    sleeps: List[float] = []
    return GoogleCalendar(lambda _calendar_id: http, retries=2, backoff_seconds=0.5, sleep=sleeps.append), http, sleeps


def sent(http: HttpMockSequence, index: int) -> Tuple[str, str, Dict[str, Any]]:
    uri, method, body, _headers = http.request_sequence[index]
    return uri, method, json.loads(body) if body else {}


def test_busy_reads_freebusy_in_utc() -> None:
    adapter, http, _ = calendar(
        [ok({"calendars": {CALENDAR: {"busy": [{"start": "2026-11-24T14:00:00Z", "end": "2026-11-24T15:00:00Z"}]}}})]
    )
    busy = adapter.busy([CALENDAR], START, START + timedelta(days=1))
    assert [(b.start, b.end) for b in busy[CALENDAR]] == [(START, START + timedelta(hours=1))]
    uri, method, body = sent(http, 0)
    assert (method, uri.split("?")[0]) == ("POST", "https://www.googleapis.com/calendar/v3/freeBusy")
    assert body == {
        "timeMin": "2026-11-24T14:00:00Z",
        "timeMax": "2026-11-25T14:00:00Z",
        "timeZone": "UTC",
        "items": [{"id": CALENDAR}],
    }


def test_busy_with_a_calendar_error_is_unavailable() -> None:
    adapter, _, _ = calendar([ok({"calendars": {CALENDAR: {"errors": [{"domain": "global", "reason": "notFound"}]}}})])
    with pytest.raises(CalendarUnavailable, match="notFound"):
        adapter.busy([CALENDAR], START, START + timedelta(days=1))


def test_insert_invites_the_visitor_with_a_meet_link_under_our_event_id() -> None:
    adapter, http, _ = calendar([ok(CREATED)])
    created = adapter.create_event(REQUEST)
    assert created.meet_link == "https://meet.google.com/abc-defg-hij"
    assert created.invites_sent
    uri, method, body = sent(http, 0)
    assert method == "POST"
    assert uri.startswith(f"https://www.googleapis.com/calendar/v3/calendars/{CALENDAR.replace('@', '%40')}/events?")
    assert "conferenceDataVersion=1" in uri and "sendUpdates=all" in uri
    assert body["id"] == REQUEST.event_id
    assert body["attendees"] == [{"email": "ingrid.bauer@alpenwerk-gruppe.de", "displayName": "Ingrid Bauer"}]
    assert body["conferenceData"]["createRequest"] == {
        "requestId": REQUEST.event_id,
        "conferenceSolutionKey": {"type": "hangoutsMeet"},
    }
    assert body["start"] == {"dateTime": "2026-11-24T09:00:00-05:00", "timeZone": "America/New_York"}
    assert body["end"] == {"dateTime": "2026-11-24T09:30:00-05:00", "timeZone": "America/New_York"}
    assert body["summary"] == REQUEST.title and body["description"] == REQUEST.description


def test_a_retried_insert_that_answers_409_is_the_same_event() -> None:
    adapter, http, _ = calendar([error(409, "duplicate"), ok(CREATED)])
    created = adapter.create_event(REQUEST)
    assert created.event_id == REQUEST.event_id and created.meet_link == CREATED["hangoutLink"]
    uri, method, _ = sent(http, 1)
    assert method == "GET" and f"/events/{REQUEST.event_id}" in uri


@pytest.mark.parametrize("status", [429, 500, 503])
def test_transient_errors_are_retried_with_backoff(status: int) -> None:
    adapter, http, sleeps = calendar([error(status, "rateLimitExceeded"), error(status), ok(CREATED)])
    assert adapter.create_event(REQUEST).event_id == REQUEST.event_id
    assert len(http.request_sequence) == 3
    assert len(sleeps) == 2 and 0.5 <= sleeps[0] < sleeps[1]


def test_a_rate_limit_403_is_retried_but_a_forbidden_403_is_an_auth_error() -> None:
    adapter, _, sleeps = calendar([error(403, "userRateLimitExceeded"), ok(CREATED)])
    assert adapter.create_event(REQUEST).event_id == REQUEST.event_id
    assert len(sleeps) == 1
    adapter, _, _ = calendar([error(403, "forbidden")])
    with pytest.raises(CalendarAuthError):
        adapter.create_event(REQUEST)


def test_401_is_an_auth_error_without_retries() -> None:
    adapter, http, sleeps = calendar([error(401, "authError")])
    with pytest.raises(CalendarAuthError):
        adapter.busy([CALENDAR], START, START + timedelta(days=1))
    assert sleeps == [] and len(http.request_sequence) == 1


def test_errors_that_outlast_the_retries_are_unavailable() -> None:
    adapter, http, sleeps = calendar([error(500), error(502), error(503)])
    with pytest.raises(CalendarUnavailable, match="3 tries"):
        adapter.create_event(REQUEST)
    assert len(http.request_sequence) == 3 and len(sleeps) == 2


def test_a_bad_request_is_unavailable_not_a_crash() -> None:
    adapter, _, _ = calendar([error(400, "invalid")])
    with pytest.raises(CalendarUnavailable, match="400"):
        adapter.create_event(REQUEST)


class TimingOutHttp(HttpMockSequence):
    """The first ``timeouts`` requests time out, as httplib2 does on a socket timeout."""

    def __init__(self, timeouts: int, responses: List[Tuple[Dict[str, str], str]]) -> None:
        super().__init__(responses)
        self.timeouts = timeouts

    def request(self, uri: str, method: str = "GET", body: Any = None, headers: Any = None, **kwargs: Any) -> Any:
        if self.timeouts:
            self.timeouts -= 1
            raise TimeoutError("timed out")
        return super().request(uri, method, body, headers, **kwargs)


def test_timeouts_are_retried_then_unavailable() -> None:
    http = TimingOutHttp(1, [ok(CREATED)])
    sleeps: List[float] = []
    adapter = GoogleCalendar(lambda _c: http, retries=2, sleep=sleeps.append)
    assert adapter.create_event(REQUEST).event_id == REQUEST.event_id
    assert len(sleeps) == 1
    always = TimingOutHttp(10, [])
    adapter = GoogleCalendar(lambda _c: always, retries=2, sleep=sleeps.append)
    with pytest.raises(CalendarUnavailable):
        adapter.busy([CALENDAR], START, START + timedelta(days=1))


def test_cancel_deletes_and_tells_attendees_and_a_gone_event_is_fine() -> None:
    adapter, http, _ = calendar([({"status": "204"}, ""), error(410, "deleted")])
    adapter.cancel_event(CALENDAR, REQUEST.event_id)
    adapter.cancel_event(CALENDAR, REQUEST.event_id)
    uri, method, _ = sent(http, 0)
    assert method == "DELETE" and "sendUpdates=all" in uri and uri.split("?")[0].endswith(f"/events/{REQUEST.event_id}")


def test_each_call_gets_a_fresh_http_object() -> None:
    made: List[HttpMockSequence] = []

    def http_for(_calendar_id: str) -> HttpMockSequence:
        made.append(HttpMockSequence([ok({"calendars": {CALENDAR: {"busy": []}}})]))
        return made[-1]

    adapter = GoogleCalendar(http_for)
    adapter.busy([CALENDAR], START, START + timedelta(hours=1))
    adapter.busy([CALENDAR], START, START + timedelta(hours=1))
    assert len(made) == 2
