"""The outbox and its delivery: rows written with the booking, the local
notifier, and Slack through slack-sdk's real WebClient against a local stub."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any, Dict, Iterator, List

import pytest

from bot.clock import FixedClock
from bot.db import make_engine
from bot.leads.store import AnswerRecord, VisitContext
from bot.notifications.abandoned import LOOK_BACK as ABANDON_LOOK_BACK
from bot.notifications.abandoned import alert_abandoned_offers
from bot.notifications.erasure import ERASURE_KINDS
from bot.notifications.messages import (
    NOT_A_FIT_REASONS,
    Alert,
    GlossedAnswer,
    alert_for,
    escape,
    plain_text,
    slack_blocks,
)
from bot.notifications.notifiers import LocalNotifier, SlackNotifier, slack_client
from bot.notifications.outbox import LEASE_SECONDS, Outbox, as_pending, enqueue
from bot.notifications.worker import deliver_due
from bot.qualification.understand import understand
from bot.routing.router import RouteDecision
from bot.routing.rules import RoutingLead
from bot.scheduling.scheduler import LeadBrief, OfferedSlot
from bot.scoring.score import score
from bot.services import Services
from calendar_booking.port import Attendee
from tests.conftest import NOW
from tests.support.journeys import book_for_lead, qualify_and_route
from tests.support.slack_stub import SlackStub


@pytest.fixture
def stub() -> Iterator[SlackStub]:
    server = SlackStub()
    yield server
    server.close()


@pytest.fixture
def outbox(services: Services) -> Outbox:
    return Outbox(make_engine(services.settings.database_url))


def outbox_engine(services: Services) -> Any:
    return make_engine(services.settings.database_url)


def render(services: Services, outbox: Outbox) -> Any:
    engine = make_engine(services.settings.database_url)
    return lambda pending: alert_for(engine, services.team, pending, public_url="http://bot.example")


def slack(services: Services, stub: SlackStub) -> SlackNotifier:
    return SlackNotifier(slack_client("xoxb-test", stub.base_url), services.team, ops_channel="#sales-ops")


def test_a_booking_writes_the_aes_and_the_teams_notification(services: Services, outbox: Outbox) -> None:
    booking_id = book_for_lead(services)
    rows = outbox.recent()
    assert sorted((r["kind"], r["recipient"], r["status"]) for r in rows) == [
        ("meeting_booked", "ae:lena", "pending"),
        ("meeting_booked", "team:enterprise_emea", "pending"),
    ]
    assert all(r["subject"] == {"booking_id": booking_id} and r["lead_id"] for r in rows)


def test_the_same_event_notifies_each_recipient_once(services: Services, outbox: Outbox) -> None:
    engine = make_engine(services.settings.database_url)
    with engine.begin() as connection:
        first = enqueue(
            connection, kind="meeting_booked", recipient="ae:lena", event_key="b1", subject={}, lead_id=None, now=NOW
        )
        again = enqueue(
            connection, kind="meeting_booked", recipient="ae:lena", event_key="b1", subject={}, lead_id=None, now=NOW
        )
    assert (first, again) == (True, False)
    assert len(outbox.recent()) == 1


def test_the_local_notifier_delivers_to_the_inbox(services: Services, outbox: Outbox) -> None:
    book_for_lead(services)
    assert deliver_due(outbox, render(services, outbox), LocalNotifier(), services.clock) == 2
    assert outbox.counts() == {"delivered": 2}


def test_slack_gets_a_dm_and_a_channel_post_with_the_why(services: Services, outbox: Outbox, stub: SlackStub) -> None:
    book_for_lead(services)
    assert deliver_due(outbox, render(services, outbox), slack(services, stub), services.clock) == 2
    assert [m for m, _ in stub.calls] == [
        "users.lookupByEmail",
        "conversations.open",
        "chat.postMessage",
        "chat.postMessage",
    ]
    dm, channel = stub.posts()
    assert dm["channel"] == "DU0LENA" and channel["channel"] == "#sales-emea"
    blocks: List[Dict[str, Any]] = dm["blocks"] if isinstance(dm["blocks"], list) else json.loads(dm["blocks"])
    assert blocks[0]["text"]["text"].startswith("New meeting booked: Alpenwerk")
    text = "\n".join(str(b.get("text", {}).get("text", "")) for b in blocks if b["type"] == "section")
    assert (
        "*In their words:* &lt;!channel&gt; stop losing &lt;b&gt;leads&lt;/b&gt; &lt;https://evil.example|click&gt; &amp; co"
        in text
    )
    assert "<!channel>" not in str(blocks) and "<https://evil" not in str(blocks)  # pings nobody, links nowhere
    assert "*Ingrid Bauer*, CFO" in text and "Alpenwerk · 3,500 people · Germany" in text
    assert "*Why:* score " in text and "\n• " in text
    assert "*Meeting:* Tue 24 Nov, 09:00–09:30 (Europe/Berlin)" in text
    assert any(b["type"] == "context" and "http://bot.example/ops/leads/" in str(b) for b in blocks)
    assert outbox.recent()[0]["delivery"]["via"] in ("dm", "team")


def test_rate_limits_and_server_errors_are_retried_by_the_client(
    services: Services, outbox: Outbox, stub: SlackStub
) -> None:
    book_for_lead(services)
    stub.fail("chat.postMessage", 429, {"Retry-After": "1"})
    stub.fail("chat.postMessage", 500)
    assert deliver_due(outbox, render(services, outbox), slack(services, stub), services.clock) == 2
    assert len(stub.posts()) == 4  # two failed tries, then each message once


def test_an_outage_loses_nothing_and_a_restart_delivers_each_once(
    services: Services, outbox: Outbox, stub: SlackStub
) -> None:
    clock: FixedClock = services.clock  # type: ignore[assignment]
    book_for_lead(services)
    for _ in range(12):  # more than the client's retries for both messages
        stub.fail("*", 503)
    assert deliver_due(outbox, render(services, outbox), slack(services, stub), clock) == 0
    rows = outbox.recent()
    assert {r["status"] for r in rows} == {"pending"} and all(r["attempts"] == 1 and r["last_error"] for r in rows)
    assert deliver_due(outbox, render(services, outbox), slack(services, stub), clock) == 0  # backing off: not due yet
    stub.failures.clear()

    clock.at = NOW + timedelta(seconds=10)
    crashed = outbox.claim(clock.now())  # a worker claims the rows, then dies before sending
    assert len(crashed) == 2
    assert deliver_due(outbox, render(services, outbox), slack(services, stub), clock) == 0  # leased to the dead worker
    clock.at += timedelta(seconds=LEASE_SECONDS + 1)
    assert deliver_due(outbox, render(services, outbox), slack(services, stub), clock) == 2
    assert deliver_due(outbox, render(services, outbox), slack(services, stub), clock) == 0
    ok_posts = stub.posts()[-2:]
    assert sorted(p["channel"] for p in ok_posts) == ["#sales-emea", "DU0LENA"]
    assert outbox.counts() == {"delivered": 2}


def test_an_ae_missing_in_slack_falls_back_to_the_team_channel(
    services: Services, outbox: Outbox, stub: SlackStub
) -> None:
    stub.users.clear()
    book_for_lead(services)
    assert deliver_due(outbox, render(services, outbox), slack(services, stub), services.clock) == 2
    deliveries = {r["recipient"]: r["delivery"] for r in outbox.recent()}
    assert deliveries["ae:lena"]["via"] == "team" and deliveries["ae:lena"]["fallbacks"] == ["dm:users_not_found"]


def test_a_revoked_token_keeps_everything_pending(services: Services, outbox: Outbox, stub: SlackStub) -> None:
    book_for_lead(services)
    for _ in range(4):
        stub.fail("*", 200, body={"ok": False, "error": "token_revoked"})
    assert deliver_due(outbox, render(services, outbox), slack(services, stub), services.clock) == 0
    assert {(r["status"], r["last_error"]) for r in outbox.recent()} == {("pending", "slack: token_revoked")}


def test_mrkdwn_escaping() -> None:
    assert escape("<@U123> & <#C1|x>") == "&lt;@U123&gt; &amp; &lt;#C1|x&gt;"


def test_an_erased_lead_is_never_sent(services: Services, outbox: Outbox) -> None:
    book_for_lead(services)
    lead_id = services.leads.lead_id_for("visitor-1")
    services.leads.erase(lead_id)  # type: ignore[arg-type]
    claimed = outbox.claim(services.clock.now())
    [pending, _] = [p for p in claimed if p.kind not in ERASURE_KINDS]
    assert [p.subject for p in claimed if p.kind == "calendar_scrub"] == [{"booking_id": pending.subject["booking_id"]}]
    blocks = slack_blocks(render(services, outbox)(pending))
    assert "Ingrid" not in str(blocks) and "ingrid@" not in str(blocks) and "losing" not in str(blocks)


def test_the_alert_carries_accept_reassign_and_a_not_a_fit_menu(services: Services, outbox: Outbox) -> None:
    booking_id = book_for_lead(services)
    [pending, _] = outbox.claim(services.clock.now())
    [actions] = [b for b in slack_blocks(render(services, outbox)(pending)) if b["type"] == "actions"]
    accept, reassign, not_a_fit = actions["elements"]
    value = f"{services.leads.lead_id_for('visitor-1')}:{booking_id}"
    assert (accept["action_id"], accept["value"], reassign["action_id"], reassign["value"]) == (
        "accept", value, "reassign", value
    )  # fmt: skip
    assert (not_a_fit["type"], not_a_fit["action_id"]) == ("static_select", "not_a_fit")
    assert [o["value"] for o in not_a_fit["options"]] == [f"{value}:{code}" for code in NOT_A_FIT_REASONS]
    assert all(len(o["value"]) <= 150 for o in not_a_fit["options"])  # Slack's limit for an option's value


def test_the_block_kit_message_exactly() -> None:
    alert = Alert(
        kind="meeting_booked", recipient="ae:lena", ae_key="lena", ae_name="Lena Hoffmann",
        ae_timezone="Europe/Berlin", lead_id=7, name="Ingrid <Bauer>", email="ingrid@alpenwerk.example", role="CFO",
        company="Alpenwerk & Co", company_size=3500, country="Germany", tier="cql", score=85,
        reasons=("Company size 3,500 (+30)", "CFO: decision maker (+25)"), use_case="<!here> cut churn",
        meeting_start=datetime(2026, 11, 24, 8, 0, tzinfo=UTC),
        meeting_end=datetime(2026, 11, 24, 8, 30, tzinfo=UTC), meet_link="https://meet.google.com/abc-defg-hij",
        lead_url="http://bot.example/ops/leads/7", booking_id="b" * 32,
    )  # fmt: skip
    blocks = slack_blocks(alert)
    assert blocks[:-1] == [
        {"type": "header", "text": {"type": "plain_text", "text": "New meeting booked: Alpenwerk & Co · CQL", "emoji": False}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Ingrid &lt;Bauer&gt;*, CFO\nAlpenwerk &amp; Co · 3,500 people · Germany\ningrid@alpenwerk.example"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Why:* score 85\n• Company size 3,500 (+30)\n• CFO: decision maker (+25)"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Meeting:* Tue 24 Nov, 09:00–09:30 (Europe/Berlin)\n<https://meet.google.com/abc-defg-hij|Join with Google Meet>"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*In their words:* &lt;!here&gt; cut churn"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "<http://bot.example/ops/leads/7|Open the lead>"}]},
    ]  # fmt: skip
    assert blocks[-1]["type"] == "actions"
    assert (
        plain_text(alert)
        == "New meeting booked: Ingrid &lt;Bauer&gt; (Alpenwerk &amp; Co), Tue 24 Nov, 09:00–09:30 (Europe/Berlin)"
    )


def test_a_cql_who_leaves_the_offer_alerts_the_ae_once(services: Services, outbox: Outbox) -> None:
    clock: FixedClock = services.clock  # type: ignore[assignment]
    qualify_and_route(services)
    quiet = timedelta(minutes=30)
    assert alert_abandoned_offers(outbox_engine(services), services.team, clock, quiet) == 0  # still deciding
    clock.at = NOW + timedelta(minutes=31)
    assert alert_abandoned_offers(outbox_engine(services), services.team, clock, quiet) == 1
    assert alert_abandoned_offers(outbox_engine(services), services.team, clock, quiet) == 0  # once
    rows = outbox.recent()
    assert sorted((r["kind"], r["recipient"]) for r in rows) == [
        ("cql_no_meeting", "ae:lena"), ("cql_no_meeting", "team:enterprise_emea")
    ]  # fmt: skip
    alert = render(services, outbox)(as_pending(rows[0]))
    assert alert.title == "Hot lead, no meeting yet: left before picking a time"
    assert (alert.ae_key, alert.name, alert.tier) == ("lena", "Ingrid Bauer", "cql")
    assert [b["type"] for b in slack_blocks(alert)][-1] == "actions"  # Accept / Not a fit, no Reassign
    assert "reassign" not in str(slack_blocks(alert)[-1])


def test_no_alert_for_a_cql_who_booked_asked_for_a_person_or_went_quiet_long_ago(
    services: Services, outbox: Outbox
) -> None:
    clock: FixedClock = services.clock  # type: ignore[assignment]
    engine, quiet = outbox_engine(services), timedelta(minutes=30)
    book_for_lead(services)  # visitor-1 booked
    decision, _ = qualify_and_route(services, "visitor-2")
    services.routing_log.record_request("visitor-2", "manual", decision, "mornings next week")
    clock.at = NOW + timedelta(minutes=31)
    assert alert_abandoned_offers(engine, services.team, clock, quiet) == 0

    qualify_and_route(services, "visitor-3")  # left the offer, but the sweep only sees it days later
    clock.at += ABANDON_LOOK_BACK + timedelta(minutes=1)
    assert alert_abandoned_offers(engine, services.team, clock, quiet) == 0
    assert {r["kind"] for r in outbox.recent()} == {"meeting_booked", "manual_booking"}


def test_the_first_ae_to_accept_keeps_the_lead(services: Services) -> None:
    book_for_lead(services)
    lead_id = services.leads.lead_id_for("visitor-1")
    assert lead_id is not None
    assert services.leads.accept(lead_id, "ae:lena") == "ae:lena"
    assert services.leads.accept(lead_id, "ae:oliver") == "ae:lena"
    assert services.leads.accept(999_999, "ae:lena") is None


def test_reassign_moves_the_meeting_to_a_free_teammate_and_tells_both(services: Services, outbox: Outbox) -> None:
    services.leads.record_consent("visitor-2", VisitContext())
    decision, free = services.scheduler.route(RoutingLead({"region": "EMEA", "company_size": 900}))
    shared = sorted({s.start for s in free["lena"]} & {s.start for s in free["oliver"]})[0]
    pick = OfferedSlot(1, "lena", shared, shared + timedelta(minutes=30))
    brief = LeadBrief("Ingrid Bauer", "i@x.example", "X", 80, "cql", (), "", "")
    booking = services.scheduler.book(decision, pick, Attendee("i@x.example"), brief, "visitor-2", "Europe/Berlin")
    moved = services.scheduler.reassign(booking.id)
    assert moved is not None and (moved.host_key, moved.start) == ("oliver", shared)
    assert services.bookings.get(booking.id).status == "cancelled"  # type: ignore[union-attr]
    kinds = sorted((r["kind"], r["recipient"]) for r in outbox.recent())
    assert ("meeting_reassigned", "ae:oliver") in kinds and ("meeting_cancelled", "ae:lena") in kinds


def test_health_reports_alerts_stuck_behind_a_revoked_token(
    services: Services, outbox: Outbox, stub: SlackStub
) -> None:
    clock: FixedClock = services.clock  # type: ignore[assignment]
    book_for_lead(services)
    assert outbox.health(clock.now()) == {"ok": True, "pending": 2}
    for _ in range(4):
        stub.fail("*", 200, body={"ok": False, "error": "invalid_auth"})
    deliver_due(outbox, render(services, outbox), slack(services, stub), clock)
    clock.at += timedelta(minutes=6)
    assert outbox.health(clock.now()) == {"ok": False, "pending": 2, "error": "slack: invalid_auth"}


def test_workers_claiming_at_once_deliver_every_alert_exactly_once(services: Services, outbox: Outbox) -> None:
    engine = outbox_engine(services)
    with engine.begin() as connection:
        for n in range(120):
            enqueue(connection, kind="meeting_booked", recipient=f"ae:{n}", event_key="race", subject={},
                    lead_id=None, now=NOW)  # fmt: skip
    claimed: List[int] = []
    lock = threading.Lock()

    def worker() -> None:
        mine = Outbox(make_engine(services.settings.database_url))
        while batch := mine.claim(NOW, limit=7):
            with lock:
                claimed.extend(p.id for p in batch)
            for pending in batch:
                mine.delivered(pending.id, NOW)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(claimed) == 120 and len(set(claimed)) == 120  # none twice, none missed
    assert outbox.counts() == {"delivered": 120}


def test_a_cql_waiting_for_a_person_or_turning_the_times_down_is_explained(services: Services, outbox: Outbox) -> None:
    decision, _ = qualify_and_route(services)
    services.routing_log.record_request("visitor-1", "manual", decision, "Tuesday <b>mornings</b>")
    services.routing_log.record_request("visitor-1", "declined", decision)
    alerts = {
        (pending.kind, pending.recipient): render(services, outbox)(pending)
        for pending in outbox.claim(services.clock.now())
    }
    manual = alerts[("manual_booking", "ae:lena")]
    assert manual.title == "CQL waiting for you to book a time" and manual.ae_name == "Lena Hoffmann"
    assert "*Times that suit them:* Tuesday &lt;b&gt;mornings&lt;/b&gt;" in str(slack_blocks(manual))
    declined = alerts[("cql_no_meeting", "ae:lena")]
    assert declined.title == "Hot lead, no meeting yet: turned down the times"


def test_one_alert_that_cannot_be_rendered_does_not_stop_the_others(services: Services, outbox: Outbox) -> None:
    book_for_lead(services)

    def render_or_fail(pending: Any) -> Any:
        if pending.recipient == "ae:lena":
            raise ValueError("broken row")
        return render(services, outbox)(pending)

    assert deliver_due(outbox, render_or_fail, LocalNotifier(), services.clock) == 1
    rows = {r["recipient"]: r for r in outbox.recent()}
    assert rows["team:enterprise_emea"]["status"] == "delivered"
    assert (rows["ae:lena"]["status"], rows["ae:lena"]["last_error"]) == ("pending", "error: ValueError")


#: A German visitor's answers as typed; the last size and role win (said again later).
SAID_IN_GERMAN = {
    "work_email": "jana@alpenwerk-gruppe.de", "full_name": "Jana Weiß", "company": "Alpenwerk",
    "role": "Teamleiterin", "company_size": "etwa 400 Mitarbeiter", "timeline": "dieses Quartal",
    "budget": "Budget ist freigegeben", "country": "aus der Schweiz", "use_case": "Leads <b>am</b> Wochenende",
}  # fmt: skip


def qualify_in_german(services: Services, sender: str, corrections: Dict[str, str]) -> RouteDecision:
    services.leads.record_consent(sender, VisitContext(language="de"))
    for slot, text in [*SAID_IN_GERMAN.items(), *corrections.items()]:
        question = services.playbook.question(slot)
        assert question is not None
        value = understand(question.parser, text, NOW.date())
        record = AnswerRecord(slot, question.parser.value, text, value, value is not None)
        services.leads.record_turn(sender, [record], None, "de")
    services.leads.record_score(sender, score(services.leads.stored_answers(sender), services.scoring))  # type: ignore[arg-type]
    decision, _ = services.scheduler.route(RoutingLead({"email_domain": "alpenwerk-gruppe.de"}))
    services.routing_log.record_decision(sender, decision)
    return decision


def test_a_german_leads_alert_names_the_language_and_glosses_each_answer_in_english(
    services: Services, outbox: Outbox
) -> None:
    corrections = {"company_size": "ungefähr 450 Leute & mehr", "role": "Vertriebsleiterin"}
    decision = qualify_in_german(services, "visitor-de", corrections)
    services.routing_log.record_request("visitor-de", "manual", decision, "Dienstag vormittags")
    alert = render(services, outbox)(next(p for p in outbox.claim(NOW) if p.recipient == "ae:lena"))
    assert alert.language == "de" and alert.language_name == "German"
    blocks = slack_blocks(alert)
    [language] = [b["text"]["text"] for b in blocks if "Chatted in" in str(b)]
    assert language.splitlines() == [
        "*Chatted in German* (their words → in English):",
        "• role: Vertriebsleiterin → head",  # the later answer, where the question was first answered
        "• company size: ungefähr 450 Leute &amp; mehr → 450 employees",
        "• timeline: dieses Quartal → this quarter (within 2 months)",
        "• budget: Budget ist freigegeben → budget approved",
        "• country: aus der Schweiz → Switzerland",
    ]
    assert "*In their words:* Leads &lt;b&gt;am&lt;/b&gt; Wochenende" in str(blocks)  # the use case, once
    forged = replace(alert, answers=(GlossedAnswer("role", "<!channel> <https://evil.example|Chef>", "head"),))
    assert "• role: &lt;!channel&gt; &lt;https://evil.example|Chef&gt; → head" in str(slack_blocks(forged))


def test_an_english_leads_alert_says_nothing_of_its_language(services: Services, outbox: Outbox) -> None:
    book_for_lead(services)
    alert = render(services, outbox)(outbox.claim(NOW)[0])
    assert alert.language == "en" and alert.answers == ()
    assert "Chatted in" not in str(slack_blocks(alert))


def test_an_erased_german_lead_is_alerted_with_no_words_of_theirs(services: Services, outbox: Outbox) -> None:
    decision = qualify_in_german(services, "visitor-de", {})
    services.routing_log.record_request("visitor-de", "declined", decision)
    lead_id = services.leads.lead_id_for("visitor-de")
    assert lead_id is not None and services.leads.erase(lead_id) is not None
    alerts = [render(services, outbox)(p) for p in outbox.claim(NOW) if p.kind == "cql_no_meeting"]
    assert alerts and all(a.answers == () and a.language == "en" for a in alerts)
    assert all("Wochenende" not in str(slack_blocks(a)) and "Quartal" not in str(slack_blocks(a)) for a in alerts)
