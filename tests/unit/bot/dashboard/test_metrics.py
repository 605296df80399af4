"""The dashboard's numbers, from journeys run through the services."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FixedClock
from bot.dashboard import metrics
from bot.db import make_engine
from bot.leads.store import AnswerRecord, VisitContext
from bot.services import Services
from tests.conftest import NOW
from tests.support.journeys import book_for_lead

FROM_ADS = VisitContext(
    page_url="https://cqlbot.example/pricing?ref=x", utm={"utm_source": "google", "utm_campaign": "q4"}
)
PERIOD = metrics.Period(NOW - timedelta(days=30), NOW + timedelta(minutes=1))


def journeys(services: Services) -> None:
    """Three chats opened; two consent; one books, one leaves at the company question."""
    for visit in (FROM_ADS, FROM_ADS, VisitContext()):
        services.leads.record_chat_open(visit)
    book_for_lead(services, "booked-1", FROM_ADS)
    services.leads.end_conversation("booked-1", "completed")
    services.leads.record_consent("left-1", VisitContext())
    services.leads.record_asked("left-1", "use_case")
    services.leads.record_asked("left-1", "company")


def test_the_funnel_counts_each_step_and_its_rate(services: Services) -> None:
    journeys(services)
    with make_engine(services.settings.database_url).connect() as connection:
        facts = metrics.conversation_groups(connection, PERIOD, NOW)
        opens = metrics.chat_opens(connection, PERIOD)
        later = metrics.conversation_groups(connection, PERIOD, NOW + timedelta(days=30))
    funnel = metrics.funnel(facts, opens)
    assert funnel.counts == {"opened": 3, "consented": 2, "answered": 1, "cql": 1, "offered": 1, "booked": 1, "held": 0}
    assert funnel.rate("consented") == 2 / 3 and funnel.rate("opened") is None and funnel.rate("held") == 0.0
    assert metrics.funnel(later, opens).counts["held"] == 1  # the meeting's time has passed, not cancelled
    by_source = dict(metrics.funnel_by(facts, opens, "source"))
    assert by_source["google"].counts["opened"] == 2 and by_source["google"].counts["booked"] == 1
    assert by_source["(none)"].counts == {"opened": 1, "consented": 1, "answered": 0, "cql": 0, "offered": 0,
                                          "booked": 0, "held": 0}  # fmt: skip
    assert [group for group, _ in metrics.funnel_by(facts, opens, "landing")] == ["/pricing", "(none)"]


def test_drop_off_names_the_question_visitors_leave_at(services: Services) -> None:
    journeys(services)
    order = [q.slot for q in services.playbook.questions]
    with make_engine(services.settings.database_url).connect() as connection:
        drop = {q.question: q for q in metrics.drop_off(connection, PERIOD, order)}
    assert (drop["company"].asked, drop["company"].answered, drop["company"].left) == (1, 1, 1)
    assert drop["use_case"].left == 1 and drop["country"].left == 0
    assert list(drop)[:2] == ["use_case", "full_name"]  # in the playbook's order


def test_meetings_by_ae_show_the_routings_own_counts_and_fair_share(services: Services) -> None:
    journeys(services)
    with make_engine(services.settings.database_url).connect() as connection:
        aes = {ae.key: ae for ae in metrics.meetings_by_ae(connection, services.team, NOW)}
    assert aes["lena"].booked == 1 and aes["oliver"].booked == 0
    assert aes["lena"].fair_share == aes["oliver"].fair_share == 0.5  # one meeting in a team of two equal weights
    assert aes["dana"].team == "americas" and aes["dana"].booked == 0


def test_scores_and_speed_to_lead(services: Services) -> None:
    journeys(services)
    with make_engine(services.settings.database_url).connect() as connection:
        bands, knockouts = metrics.score_distribution(connection, PERIOD)
        speed = metrics.speed_to_lead(connection, PERIOD)
    assert sum(bands["cql"]) == 1 and not knockouts
    assert speed["to_booking"]["n"] == 1 and speed["to_alert"] is None  # nothing delivered yet


def test_the_median_time_to_answer_is_the_middle_wait(services: Services) -> None:
    clock: FixedClock = services.clock  # type: ignore[assignment]
    for n, wait in enumerate((10, 40, 20, 30)):
        clock.at = NOW - timedelta(hours=n + 1)
        services.leads.record_consent(f"timed-{n}", VisitContext())
        services.leads.record_asked(f"timed-{n}", "company")
        clock.at += timedelta(seconds=wait)
        services.leads.record_answer(f"timed-{n}", AnswerRecord("company", "company", "Acme", "Acme", True))
    with make_engine(services.settings.database_url).connect() as connection:
        [company] = metrics.drop_off(connection, PERIOD, ["company"])
    assert (company.asked, company.answered, company.left) == (4, 4, 0)
    assert company.median_seconds is not None and abs(company.median_seconds - 25.0) < 0.01  # (20 + 30) / 2


def test_the_funnel_breaks_down_by_the_language_of_each_chat(services: Services) -> None:
    journeys(services)  # in English
    services.leads.record_chat_open(VisitContext(language="de"))
    services.leads.record_chat_open(VisitContext(language="de"))
    book_for_lead(services, "booked-de", VisitContext(language="de"))
    services.leads.record_consent("left-es", VisitContext(language="es"))
    with make_engine(services.settings.database_url).connect() as connection:
        facts = metrics.conversation_groups(connection, PERIOD, NOW)
        opens = metrics.chat_opens(connection, PERIOD)
    by_language = metrics.funnel_by(facts, opens, "language")
    assert [language for language, _ in by_language] == ["en", "de", "es"]
    counts = {language: funnel.counts for language, funnel in by_language}
    assert counts["de"] == {"opened": 2, "consented": 1, "answered": 0, "cql": 1, "offered": 1, "booked": 1, "held": 0}
    assert (counts["en"]["opened"], counts["en"]["consented"], counts["en"]["booked"]) == (3, 2, 1)
    assert (counts["es"]["opened"], counts["es"]["consented"]) == (0, 1)  # opened in another language, say
    assert "language" in metrics.BREAKDOWNS
