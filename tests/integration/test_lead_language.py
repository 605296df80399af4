"""A lead who chatted in German, as the web app shows it: the meeting page and its .ics in
German, the ops lead page with their words and an English gloss of each answer, the
funnel by language, and the API's language field."""

from __future__ import annotations

import re
from typing import Iterator, Tuple

import pytest
import requests
from icalendar import Calendar

from bot.clock import SystemClock
from bot.leads.store import AnswerRecord, VisitContext
from bot.qualification.understand import understand
from bot.routing.rules import RoutingLead
from bot.scheduling.scheduler import LeadBrief
from bot.scoring.score import score
from bot.services import build_services
from bot.settings import load_settings
from calendar_booking.port import Attendee
from tests.support.stack import API_AUTH, ApiServer, web_app

PASSWORD = "correct horse battery"
SECRET = "a-booking-link-secret-for-the-tests-only"
#: A German visitor's answers as typed, one with markup that must stay text.
SAID = {
    "use_case": "Leads am Wochenende <script>alert(1)</script> beantworten",
    "full_name": "Jana Weiß",
    "work_email": "jana@alpenwerk-gruppe.de",
    "company": "Alpenwerk",
    "role": "Vertriebsleiterin",
    "company_size": "etwa 400 Mitarbeiter",
    "timeline": "dieses Quartal",
    "budget": "Budget ist freigegeben",
    "country": "aus der Schweiz",
}


@pytest.fixture(scope="module")
def german_lead(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[ApiServer, int, str]]:
    """The web app, with Jana's qualified German conversation booked with Lena: the server,
    the lead's id and the path of the meeting's page."""
    env = {"CQLBOT_OPS_PASSWORD": PASSWORD, "CQLBOT_BOOKING_LINK_SECRET": SECRET}
    with web_app(tmp_path_factory.mktemp("german"), env) as server:
        services = build_services(load_settings({"DATABASE_URL": server.database_url, **env}), SystemClock())
        sender = "jana-1"
        services.leads.record_chat_open(VisitContext(language="de"))
        services.leads.record_consent(sender, VisitContext(language="de"))
        for slot, text in SAID.items():
            question = services.playbook.question(slot)
            assert question is not None
            value = understand(question.parser, text, services.clock.now().date())
            services.leads.record_turn(
                sender, [AnswerRecord(slot, question.parser.value, text, value, True)], None, "de"
            )
        services.leads.end_conversation(sender, "completed", "de")
        services.leads.record_score(sender, score(services.leads.stored_answers(sender), services.scoring))  # type: ignore[arg-type]
        decision, free = services.scheduler.route(
            RoutingLead({"email_domain": "alpenwerk-gruppe.de", "language": "de"})
        )
        services.routing_log.record_decision(sender, decision)
        offer = services.scheduler.offer(decision, "Europe/Berlin", free=free)
        brief = LeadBrief("Jana Weiß", SAID["work_email"], "Alpenwerk", 80, "cql", (), "", "")
        booking = services.scheduler.book(
            decision, offer.slots[0], Attendee(SAID["work_email"]), brief, sender, "Europe/Berlin"
        )
        lead_id = services.leads.lead_id_for(sender)
        assert lead_id is not None and services.links is not None
        yield server, lead_id, f"/meetings/{services.links.token(booking.id)}"


def sign_in(base_url: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base_url}/ops/login", timeout=10)
    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token
    data = {"login_token": token.group(1), "password": PASSWORD, "next": "/ops"}
    assert session.post(f"{base_url}/ops/login", data=data, allow_redirects=False, timeout=10).status_code == 303
    return session


def test_the_meeting_page_and_its_invite_speak_german(german_lead: Tuple[ApiServer, int, str]) -> None:
    server, _lead_id, path = german_lead
    page = requests.get(server.base_url + path, headers={"Accept-Language": "en-US,en"}, timeout=10)
    assert page.status_code == 200
    assert '<html lang="de">' in page.text  # the conversation's language, not the browser's
    assert "<title>Ihr Termin · CQL Bot</title>" in page.text
    assert "Ihr Termin mit <strong>Lena Hoffmann</strong>" in page.text
    assert re.search(r"<strong>(Mo|Di|Mi|Do|Fr)\., \d+\. \w+\.?, \d\d:\d\d–\d\d:\d\d, Europe/Berlin", page.text)
    assert "In meinen Kalender eintragen (.ics)" in page.text and "Termin absagen" in page.text
    assert "Your meeting" not in page.text

    [event] = Calendar.from_ical(requests.get(f"{server.base_url}{path}/invite.ics", timeout=10).content).walk("VEVENT")
    assert str(event["summary"]) == "Kennenlerngespräch mit Lena Hoffmann"
    assert event["summary"].params["LANGUAGE"] == "de"
    assert str(event["description"]).startswith("Verschieben oder absagen: http")
    assert event["description"].params["LANGUAGE"] == "de"


def test_a_link_that_is_not_valid_answers_in_the_browsers_language(german_lead: Tuple[ApiServer, int, str]) -> None:
    server, _lead_id, path = german_lead
    forged = server.base_url + path[:-1] + ("A" if path[-1] != "A" else "B")
    french = requests.get(forged, headers={"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.8"}, timeout=10)
    assert french.status_code == 404 and '<html lang="fr">' in french.text and "Lien non valide" in french.text
    unknown = requests.get(forged, headers={"Accept-Language": "ja-JP,<x>"}, timeout=10)
    assert '<html lang="en">' in unknown.text and "This link is not valid" in unknown.text


def test_the_ops_lead_page_shows_the_language_the_words_and_their_english_gloss(
    german_lead: Tuple[ApiServer, int, str],
) -> None:
    server, lead_id, _path = german_lead
    page = sign_in(server.base_url).get(f"{server.base_url}/ops/leads/{lead_id}", timeout=10)
    assert page.status_code == 200
    assert "<dt>Language</dt><dd>German <code>de</code></dd>" in page.text
    assert '<th scope="col">In English</th>' in page.text
    for words, english in (
        ("etwa 400 Mitarbeiter", "400 employees"),
        ("Vertriebsleiterin", "head"),
        ("dieses Quartal", "this quarter (within"),
        ("aus der Schweiz", "Switzerland"),
    ):
        assert re.search(rf"<td>{re.escape(words)}</td><td>[^<]*</td><td>{re.escape(english)}", page.text), words
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_the_funnel_breaks_down_by_language(german_lead: Tuple[ApiServer, int, str]) -> None:
    server, _lead_id, _path = german_lead
    overview = sign_in(server.base_url).get(
        f"{server.base_url}/ops", params={"days": "30", "by": "language"}, timeout=10
    )
    assert overview.status_code == 200 and "By language" in overview.text
    assert '<option value="language" selected>Language</option>' in overview.text
    row = re.search(r"<tr><td>German <code>de</code></td>((?:<td>[^<]*</td>)+)</tr>", overview.text)
    assert row, "a row for German"
    cells = re.findall(r"<td>([^<]*)</td>", row.group(1))
    assert cells[:6] == ["1", "1", "1", "1", "1", "1"]  # opened, consented, answered, CQL, offered, booked


def test_the_api_gives_the_language_and_each_answers_gloss(german_lead: Tuple[ApiServer, int, str]) -> None:
    server, lead_id, _path = german_lead
    lead = requests.get(f"{server.base_url}/api/leads/{lead_id}", headers=API_AUTH, timeout=10).json()
    assert lead["language"] == "de"
    assert lead["answers"]["company_size"]["text"] == "etwa 400 Mitarbeiter"
    assert lead["answers"]["company_size"]["gloss"] == "400 employees"
    assert lead["answers"]["full_name"]["gloss"] is None
