"""Booking, end to end over the REST channel on the running stack and its
local calendar: a CQL taps a time and the meeting is on the right AE's
calendar, and the AE's alert reaches Slack (a local stub); a CQL without a known zone is asked it, pages through times and
leaves times in words for a person."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any, Dict, List
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import requests
from icalendar import Calendar
from sqlalchemy import select

from bot.db import make_engine
from bot.leads.models import MeetingRequest, RoutingDecision
from bot.notifications.outbox import notifications
from bot.processes.stack import Stack
from calendar_booking.tables import calendar_events
from tests.support.slack_stub import SlackStub
from tests.support.stack import API_AUTH, Visitor

GERMAN_CFO = ["we lose inbound leads outside office hours", "Ingrid Bauer", "ingrid.bauer@alpenwerk-gruppe.de",
              "Alpenwerk Gruppe", "CFO", "3,500 employees", "next 8 weeks", "budget is set aside", "Germany"]  # fmt: skip
BRAZILIAN_HEAD = ["qualify chat leads", "Ana Silva", "ana.silva@coralnetworks.com.br", "Coral Networks",
                  "Head of Marketing", "600", "this quarter", "yes", "Brazil"]  # fmt: skip


def qualify(visitor: Visitor, answers: List[str]) -> List[Dict[str, Any]]:
    visitor.say("hi")
    visitor.say("/give_consent")
    replies: List[Dict[str, Any]] = []
    for answer in answers:
        replies = visitor.say(answer)
    return replies


def buttons(replies: List[Dict[str, Any]]) -> List[Dict[str, str]]:
    return [b for r in replies for b in r.get("buttons") or []]


def text(replies: List[Dict[str, Any]]) -> str:
    return " ".join(r.get("text", "") for r in replies)


def alerts_about(stub: SlackStub, company: str) -> List[Dict[str, Any]]:
    """The Slack posts whose header names ``company``."""
    return [post for post in stub.posts() if f"New meeting booked: {company}" in json.dumps(post.get("blocks"))]


def test_a_cql_taps_a_time_and_it_is_on_the_account_owners_calendar(stack: Stack, slack_stub: SlackStub) -> None:
    visitor = Visitor(stack, metadata={"timezone": "America/New_York"})
    offer = qualify(visitor, GERMAN_CFO)
    assert "great fit" in text(offer) and "America/New York" in text(offer)
    slots = [b for b in buttons(offer) if b["payload"].startswith("/pick_slot")]
    assert 3 <= len(slots) <= 5 and [b["title"] for b in buttons(offer)][-2:] == ["Other times", "None of these work"]

    confirmation = visitor.say(slots[0]["payload"])
    assert "You're booked!" in text(confirmation) and not buttons(confirmation)
    assert "Lena Hoffmann" in text(confirmation)  # alpenwerk-gruppe.de is Lena's account
    assert slots[0]["title"] in text(confirmation)  # the time the visitor tapped, in their zone

    base = f"http://127.0.0.1:{stack.ports.web}/api/leads"
    (lead,) = requests.get(base, params={"email": GERMAN_CFO[2]}, headers=API_AUTH, timeout=10).json()["items"]
    meeting = lead["meeting"]
    assert (lead["status"], meeting["ae"], meeting["status"]) == ("cql", "lena", "confirmed")
    start = datetime.fromisoformat(meeting["start"])
    local = start.astimezone(ZoneInfo("America/New_York"))
    assert f"{local:%H:%M}" in slots[0]["title"]
    berlin = start.astimezone(ZoneInfo("Europe/Berlin"))
    assert 9 <= berlin.hour < 18  # inside Lena's working hours, in her zone

    engine = make_engine(stack.env["DATABASE_URL"])
    with engine.connect() as connection:
        events = connection.execute(
            select(calendar_events).where(
                calendar_events.c.calendar_id == "lena.hoffmann@cqlbot.example", calendar_events.c.kind == "meeting"
            )
        ).all()
        decision = connection.execute(
            select(RoutingDecision.reasons).where(RoutingDecision.sender_id == visitor.sender)
        ).scalar_one()
    [event] = [e for e in events if e.start == start]
    assert event.attendees == [{"email": GERMAN_CFO[2], "name": "Ingrid Bauer"}]
    assert event.end - event.start == timedelta(minutes=30) and event.timezone == "Europe/Berlin"
    assert decision == ["account_owner", "picked:lena"]

    # The web app's outbox worker sends the alert through Slack (the stub) within seconds:
    # a DM to Lena (found by her email) and a post in her team's channel.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(alerts_about(slack_stub, "Alpenwerk Gruppe")) < 2:
        time.sleep(0.2)
    channel, dm = sorted(alerts_about(slack_stub, "Alpenwerk Gruppe"), key=lambda post: post["channel"])[:2]
    assert (channel["channel"], dm["channel"]) == ("#sales-emea", "DU0LENA")
    assert ("users.lookupByEmail", {"email": "lena.hoffmann@cqlbot.example"}) in slack_stub.calls
    assert "*Ingrid Bauer*, CFO" in json.dumps(dm["blocks"]) and "*Why:* score" in json.dumps(dm["blocks"])
    with engine.connect() as connection:
        sent = connection.execute(
            select(notifications.c.recipient, notifications.c.status, notifications.c.delivery).where(
                notifications.c.kind == "meeting_booked", notifications.c.lead_id == lead["id"]
            )
        ).all()
    assert {(row.recipient, row.status, row.delivery["via"]) for row in sent} == {
        ("ae:lena", "delivered", "dm"), ("team:enterprise_emea", "delivered", "team")
    }  # fmt: skip

    # A second visitor can no longer be offered that time with Lena.
    other = Visitor(stack, metadata={"timezone": "America/New_York"})
    offer = qualify(other, [*GERMAN_CFO[:2], "m.keller@alpenwerk-gruppe.de", *GERMAN_CFO[3:]])
    assert slots[0]["title"] not in [b["title"] for b in buttons(offer)]


def test_zone_asked_other_times_then_times_in_words_for_a_person(stack: Stack) -> None:
    visitor = Visitor(stack)
    asked = qualify(visitor, BRAZILIAN_HEAD)
    assert "time zone" in text(asked) and not buttons(asked)  # Brazil has several zones
    offer = visitor.say("America/Sao_Paulo")
    first = [b["title"] for b in buttons(offer)]
    assert "America/Sao Paulo" in text(offer) and len(first) >= 5

    later = visitor.say("/other_times")
    second = [b["title"] for b in buttons(later)]
    assert second[:-2] and not set(second[:-2]) & set(first[:-2])

    asked_words = visitor.say("/no_slot_works")
    assert "When would suit you" in text(asked_words)
    done = visitor.say("Thursday afternoons, Brasilia time")
    assert "will email you at ana.silva@coralnetworks.com.br" in text(done)

    engine = make_engine(stack.env["DATABASE_URL"])
    with engine.connect() as connection:
        request = connection.execute(select(MeetingRequest).where(MeetingRequest.sender_id == visitor.sender)).one()
    assert (request.kind, request.preferred_times, request.team) == (
        "manual",
        "Thursday afternoons, Brasilia time",
        "americas",
    )


def test_a_question_mid_offer_is_answered_and_the_times_come_back(stack: Stack) -> None:
    visitor = Visitor(stack, metadata={"timezone": "Europe/Berlin"})
    offer = qualify(
        visitor,
        [
            "route web leads",
            "Jo Park",
            "jo@kestrel-analytics.de",
            "Kestrel",
            "VP Sales",
            "250",
            "asap",
            "approved",
            "Germany",
        ],
    )
    assert buttons(offer)
    answered = visitor.say("how much does it cost?")
    assert buttons(answered), answered  # the offer is shown again after the answer
    booked = visitor.say('/pick_slot{"slot_choice":"1"}')
    assert "You're booked!" in text(booked)
    now = datetime.now(UTC)
    (lead,) = requests.get(
        f"http://127.0.0.1:{stack.ports.web}/api/leads",
        params={"email": "jo@kestrel-analytics.de"},
        headers=API_AUTH,
        timeout=10,
    ).json()["items"]
    assert datetime.fromisoformat(lead["meeting"]["start"]) > now + timedelta(hours=4)  # minimum notice


def test_the_confirmation_link_shows_moves_and_cancels_the_meeting(stack: Stack) -> None:
    visitor = Visitor(stack, metadata={"timezone": "Asia/Kolkata"})
    offer = qualify(
        visitor,
        [
            "route web leads",
            "Meera Rao",
            "meera@tallgrass-labs.in",
            "Tallgrass Labs",
            "Director of Sales",
            "400",
            "next month",
            "approved",
            "India",
        ],
    )
    pick = next(b for b in buttons(offer) if b["payload"].startswith("/pick_slot"))
    confirmation = text(visitor.say(pick["payload"]))
    manage, ics = re.findall(r"https?://[^\s]+/meetings/[\w.-]+(?:/invite\.ics)?", confirmation)
    web = f"http://127.0.0.1:{stack.ports.web}"
    manage, ics = web + urlsplit(manage).path, web + urlsplit(ics).path  # the links name the public URL

    page = requests.get(manage, timeout=10)
    assert page.status_code == 200 and "Content-Security-Policy" in page.headers
    assert pick["title"] in page.text and "Priya Nair" in page.text and "Asia/Kolkata" in page.text

    invite = Calendar.from_ical(requests.get(ics, timeout=10).content)
    [event] = invite.walk("VEVENT")
    base = f"{web}/api/leads"
    (lead,) = requests.get(base, params={"email": "meera@tallgrass-labs.in"}, headers=API_AUTH, timeout=10).json()[
        "items"
    ]
    assert event.decoded("dtstart") == datetime.fromisoformat(lead["meeting"]["start"])
    assert str(event.get("attendee")) == "mailto:meera@tallgrass-labs.in"

    forged = manage[:-1] + ("A" if manage[-1] != "A" else "B")
    assert requests.get(forged, timeout=10).status_code == 404
    assert requests.post(manage + "/move", data={"start": "not a time"}, timeout=10).status_code == 400

    new_start = re.findall(r'name="start" value="([^"]+)"', page.text)[0]
    moved = requests.post(manage + "/move", data={"start": new_start}, timeout=10)
    assert moved.status_code == 200 and "Your meeting is moved" in moved.text
    meeting = requests.get(f"{base}/{lead['id']}", headers=API_AUTH, timeout=10).json()["meeting"]
    assert (
        datetime.fromisoformat(meeting["start"]) == datetime.fromisoformat(new_start)
        and meeting["status"] == "confirmed"
    )
    old_link = requests.get(manage, timeout=10).text  # the old link says where the meeting went
    assert "This meeting was moved to" in old_link and "is cancelled" not in old_link
    [moved_event] = Calendar.from_ical(requests.get(ics, timeout=10).content).walk("VEVENT")
    assert moved_event.decoded("dtstart") == datetime.fromisoformat(new_start)
    assert str(moved_event.get("status")) == "CONFIRMED"

    new_manage = f"{web}/meetings/" + re.search(r'action="/meetings/([\w.-]+)/cancel"', moved.text).group(1)  # type: ignore[union-attr]
    cancelled = requests.post(new_manage + "/cancel", timeout=10)
    assert cancelled.status_code == 200 and "Your meeting is cancelled" in cancelled.text
    meeting = requests.get(f"{base}/{lead['id']}", headers=API_AUTH, timeout=10).json()["meeting"]
    assert meeting["status"] == "cancelled"
    assert "is cancelled" in requests.get(manage, timeout=10).text  # the old link follows it there too
