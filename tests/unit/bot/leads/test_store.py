from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import FixedClock
from bot.db import make_engine
from bot.leads.models import ChatOpen
from bot.leads.store import AnswerRecord, LeadStore, VisitContext

VISIT = VisitContext(
    page_url="https://cqlbot.example/pricing?utm_source=ads",
    utm={"utm_source": "ads"},
    browser_timezone="Europe/Berlin",
)


def email_answer(address: str, kind: str = "work") -> AnswerRecord:
    return AnswerRecord(
        question="work_email", parser="email", raw_text=address,
        value={"address": address, "normalised": address.strip().lower(), "kind": kind}, parsed=True,
    )  # fmt: skip


def test_nothing_is_kept_without_consent(store: LeadStore) -> None:
    store.record_asked("s1", "use_case")
    store.record_answer("s1", AnswerRecord("use_case", "text", "leads", "leads", True))
    store.end_conversation("s1", "completed")
    assert store.conversation_record("s1") is None


def test_consent_keeps_the_visit_and_the_answers(store: LeadStore, clock: FixedClock) -> None:
    store.record_consent("s1", VISIT)
    clock.at += timedelta(seconds=5)
    store.record_asked("s1", "use_case")
    clock.at += timedelta(seconds=20)
    store.record_answer("s1", AnswerRecord("use_case", "text", "we lose leads", "we lose leads", True))
    record = store.conversation_record("s1")
    assert record is not None
    assert (record["page_url"], record["utm"], record["browser_timezone"]) == (
        VISIT.page_url,
        {"utm_source": "ads"},
        "Europe/Berlin",
    )
    answer = record["answers"]["use_case"]
    assert answer["raw_text"] == "we lose leads"
    assert answer["attempts"] == 1
    assert (answer["answered_at"] - answer["asked_at"]).total_seconds() == 20
    assert answer["asked_at"].tzinfo is not None


def test_consent_twice_keeps_one_conversation(store: LeadStore) -> None:
    store.record_consent("s1", VISIT)
    store.record_consent("s1", VisitContext())
    record = store.conversation_record("s1")
    assert record is not None
    assert record["page_url"] == VISIT.page_url  # an empty repeat does not erase what was known


def test_each_try_counts_and_the_last_answer_wins(store: LeadStore) -> None:
    store.record_consent("s1", VISIT)
    store.record_answer("s1", AnswerRecord("company_size", "company_size", "n/a", None, False))
    store.record_answer(
        "s1", AnswerRecord("company_size", "company_size", "~600", {"min": 600, "max": 600, "label": "600"}, True)
    )
    answer = store.conversation_record("s1")["answers"]["company_size"]  # type: ignore[index]
    assert (answer["attempts"], answer["parsed"], answer["value"]["min"]) == (2, True, 600)


def test_an_answer_given_before_being_asked_has_no_asked_time(store: LeadStore) -> None:
    store.record_consent("s1", VISIT)
    store.record_answer("s1", AnswerRecord("role", "role", "CTO", {"title": "CTO", "seniority": "c_level"}, True))
    assert store.conversation_record("s1")["answers"]["role"]["asked_at"] is None  # type: ignore[index]


def test_the_email_makes_a_lead_with_what_is_known(store: LeadStore) -> None:
    store.record_consent("s1", VISIT)
    store.record_answer("s1", AnswerRecord("full_name", "name", "Priya", "Priya", True))
    store.record_answer("s1", AnswerRecord("role", "role", "CTO", {"title": "CTO", "seniority": "c_level"}, True))
    store.record_answer("s1", email_answer("Priya@QuantixLabs.com"))
    store.record_answer("s1", AnswerRecord("company", "company", "Quantix Labs", "Quantix Labs", True))
    store.record_answer("s1", AnswerRecord("company_size", "company_size", "50-200", {"min": 50, "max": 200}, True))
    store.record_answer("s1", AnswerRecord("timeline", "timeline", "Q1", {"earliest": 1.0, "latest": 4.0}, True))
    store.record_answer("s1", AnswerRecord("budget", "budget", "yes", {"status": "approved"}, True))
    store.record_answer(
        "s1", AnswerRecord("country", "country", "india", {"country_code": "IN", "name": "India"}, True)
    )
    lead = store.conversation_record("s1")["lead"]  # type: ignore[index]
    assert lead == {
        "email": "Priya@QuantixLabs.com", "email_kind": "work", "full_name": "Priya", "company": "Quantix Labs",
        "role_title": "CTO", "seniority": "c_level", "status": "new", "company_size": 125, "timeline_months": 4.0,
        "budget": "approved", "country": "India", "language": "en", "score": None, "reasons": None,
        "policy_version": None, "status_history": [],
    }  # fmt: skip


def test_one_lead_many_conversations_by_normalised_email(store: LeadStore) -> None:
    for sender, address in (("s1", "priya@quantixlabs.com"), ("s2", "  PRIYA@quantixlabs.com ")):
        store.record_consent(sender, VISIT)
        store.record_answer(sender, email_answer(address))
    with store._sessions() as session:
        from sqlalchemy import func, select

        from bot.leads.models import Lead

        assert session.execute(select(func.count()).select_from(Lead)).scalar_one() == 1


def test_plus_addresses_are_different_leads(store: LeadStore) -> None:
    for sender, address in (("s1", "jane@acme.com"), ("s2", "jane+sales@acme.com")):
        store.record_consent(sender, VISIT)
        store.record_answer(sender, email_answer(address))
    assert store.conversation_record("s1")["lead"]["email"] != store.conversation_record("s2")["lead"]["email"]  # type: ignore[index]


def test_withdrawing_consent_forgets_the_answers(store: LeadStore) -> None:
    store.record_consent("s1", VISIT)
    store.record_answer("s1", email_answer("jane@acme.com"))
    store.withdraw_consent("s1")
    store.record_answer("s1", AnswerRecord("company", "company", "Acme", "Acme", True))
    record = store.conversation_record("s1")
    assert record is not None
    assert record["answers"] == {}
    assert record["lead"] is None
    assert record["consent_withdrawn_at"] is not None


def test_hostile_text_is_stored_as_text(store: LeadStore) -> None:
    hostile = "Robert'); DROP TABLE leads;-- <script>alert(1)</script>"
    store.record_consent("s1", VISIT)
    store.record_answer("s1", AnswerRecord("use_case", "text", hostile, hostile, True))
    store.record_answer("s1", AnswerRecord("company", "company", "x" * 50_000, "x" * 100, True))
    answers = store.conversation_record("s1")["answers"]  # type: ignore[index]
    assert answers["use_case"]["raw_text"] == hostile
    assert len(answers["company"]["raw_text"]) == 4000


def test_the_ending_is_recorded(store: LeadStore) -> None:
    store.record_consent("s1", VISIT)
    store.end_conversation("s1", "stopped")
    assert store.conversation_record("s1")["outcome"] == "stopped"  # type: ignore[index]


def test_text_kept_as_typed_becomes_the_name_unless_it_is_an_address_or_markup(store: LeadStore) -> None:
    store.record_consent("kept-1", VisitContext())
    email = {"address": "greta@alpenwerk.example", "normalised": "greta@alpenwerk.example", "kind": "work"}
    store.record_answer("kept-1", AnswerRecord("work_email", "email", "greta@alpenwerk.example", email, True))
    store.record_answer(
        "kept-1", AnswerRecord("full_name", "name", "greta@alpenwerk.example", "greta@alpenwerk.example", False)
    )
    store.record_answer("kept-1", AnswerRecord("company", "company", "Müller & Söhne KG", "Müller & Söhne KG", False))
    record = store.conversation_record("kept-1")
    assert record is not None and record["answers"]["full_name"]["raw_text"] == "greta@alpenwerk.example"  # kept
    assert (record["lead"]["full_name"], record["lead"]["company"]) == (None, "Müller & Söhne KG")


def test_a_form_turn_stores_its_answers_and_the_next_question_together(store: LeadStore, clock: FixedClock) -> None:
    store.record_consent("s1", VISIT)
    store.record_asked("s1", "full_name")
    clock.at += timedelta(seconds=10)
    given = [AnswerRecord("full_name", "name", "Ana Silva", "Ana Silva", True), email_answer("ana@example.org")]
    store.record_turn("s1", given, "company")
    record = store.conversation_record("s1")
    assert record is not None
    answers = record["answers"]
    assert answers["full_name"]["raw_text"] == "Ana Silva" and answers["full_name"]["attempts"] == 1
    assert (answers["full_name"]["answered_at"] - answers["full_name"]["asked_at"]).total_seconds() == 10
    assert answers["work_email"]["asked_at"] is None  # volunteered
    assert answers["company"]["asked_at"] == clock.now() and answers["company"]["answered_at"] is None
    assert record["lead"]["email"] == "ana@example.org"  # the email links the lead, as record_answer does


def test_an_empty_turn_or_one_without_consent_writes_nothing(store: LeadStore) -> None:
    store.record_turn("s1", [], None)
    store.record_turn("s2", [email_answer("x@example.org")], "company")
    assert store.conversation_record("s1") is None and store.conversation_record("s2") is None


def test_the_language_is_kept_on_the_conversation_and_its_lead_and_follows_the_visitor(store: LeadStore) -> None:
    store.record_consent("s1", VisitContext(language="de"))
    assert store.conversation_language("s1") == "de"
    store.record_turn("s1", [email_answer("jana@alpenwerk.example")], "company", "de")
    record = store.conversation_record("s1")
    assert record is not None and record["language"] == "de" and record["lead"]["language"] == "de"
    store.record_turn("s1", [], "role", "fr")  # the visitor switched: the lead speaks it too
    store.end_conversation("s1", "completed", "es")
    record = store.conversation_record("s1")
    assert record is not None and (record["language"], record["lead"]["language"]) == ("es", "es")
    store.record_turn("s1", [], "budget")  # a turn that does not say keeps it
    assert store.conversation_language("s1") == "es"


def test_a_language_the_bot_does_not_speak_is_stored_as_the_default(store: LeadStore) -> None:
    for hostile in ("xx", "DE", "de-DE", "<script>", "e" * 300):
        store.record_consent("s1", VisitContext(language=hostile))
        assert store.conversation_language("s1") == "en", hostile
    store.record_turn("s1", [email_answer("jana@alpenwerk.example")], None, "de")
    store.record_turn("s1", [], "company", {"code": "de"})  # type: ignore[arg-type]
    record = store.conversation_record("s1")
    assert record is not None and (record["language"], record["lead"]["language"]) == ("en", "en")
    assert store.conversation_language("nobody") == "en"


def test_chat_opens_keep_the_language_they_opened_in(store: LeadStore, database_url: str) -> None:
    store.record_chat_open(VisitContext(language="fr"))
    store.record_chat_open(VisitContext(language="klingon"))
    with make_engine(database_url).connect() as connection:
        assert sorted(connection.execute(select(ChatOpen.language)).scalars()) == ["en", "fr"]
