"""Whole conversations over the REST channel, checked against the lead store."""

from __future__ import annotations

from typing import Dict

from bot.leads.store import LeadStore
from bot.processes.stack import Stack
from bot.services import get_services
from tests.support.stack import Visitor

ANSWERS = {
    "use_case": "we lose inbound leads outside office hours",
    "full_name": "Ingrid Bauer",
    "work_email": "Ingrid.Bauer@alpenwerk-gruppe.de",
    "company": "Alpenwerk Gruppe",
    "role": "CFO",
    "company_size": "3,500 employees",
    "timeline": "next quarter",
    "budget": "budget is set aside",
    "country": "Germany",
}


def question_asked(texts: list[str], domain_texts: Dict[str, str]) -> str | None:
    """The question slot whose utter_ask_* text ends the bot's reply."""
    for slot in ANSWERS:
        variants = {domain_texts[f"utter_ask_{slot}"]}
        if texts and texts[-1] in variants:
            return slot
    return None


def test_a_visitor_answers_every_question_and_becomes_a_lead(
    stack: Stack, lead_store: LeadStore, domain_texts: Dict[str, str]
) -> None:
    visitor = Visitor(
        stack,
        metadata={
            "timezone": "Europe/Berlin",
            "page_url": "https://cqlbot.example/pricing",
            "utm": {"utm_source": "newsletter"},
        },
    )
    replies = visitor.say("hello")
    assert replies[-1]["text"] == domain_texts["utter_ask_consent"]
    assert [b["payload"] for b in replies[-1]["buttons"]] == ["/give_consent", "/deny_consent"]
    texts = visitor.texts("/give_consent")
    asked = []
    for _ in range(len(ANSWERS) + 2):
        slot = question_asked(texts, domain_texts)
        if slot is None:
            break
        asked.append(slot)
        texts = visitor.texts(ANSWERS[slot])
    assert asked == get_services().playbook.slots
    assert texts[0] == domain_texts["utter_close_cql"]
    assert texts[-1].startswith(domain_texts["utter_offer_times"].split("{")[0])  # and times to book

    record = lead_store.conversation_record(visitor.sender)
    assert record is not None
    assert record["outcome"] == "completed"
    assert (record["browser_timezone"], record["page_url"], record["utm"]) == (
        "Europe/Berlin",
        "https://cqlbot.example/pricing",
        {"utm_source": "newsletter"},
    )
    assert record["lead"]["email"] == "Ingrid.Bauer@alpenwerk-gruppe.de"
    assert record["lead"]["seniority"] == "c_level"
    assert record["answers"]["company_size"]["value"] == {"min": 3500, "max": 3500, "label": "3,500"}
    assert record["answers"]["country"]["value"] == {"country_code": "DE", "name": "Germany"}
    for slot, answer in record["answers"].items():
        assert answer["raw_text"] == ANSWERS[slot]
        assert answer["asked_at"] <= answer["answered_at"]


def test_an_all_in_one_opening_skips_the_answered_questions(
    visitor: Visitor, lead_store: LeadStore, domain_texts: Dict[str, str]
) -> None:
    visitor.say(
        "Hi, I'm Priya Natarajan, CTO at Quantix Labs (about 300 people), we want a demo this month, priya@quantixlabs.com"
    )
    asked = []
    texts = visitor.texts("/give_consent")
    while (slot := question_asked(texts, domain_texts)) is not None and len(asked) < 10:
        asked.append(slot)
        texts = visitor.texts({"use_case": "route web leads", "budget": "approved", "country": "India"}[slot])
    assert asked == ["use_case", "budget", "country"]
    lead = lead_store.conversation_record(visitor.sender)["lead"]  # type: ignore[index]
    assert (lead["full_name"], lead["company"], lead["role_title"]) == ("Priya Natarajan", "Quantix Labs", "CTO")


def test_a_side_question_is_answered_and_the_form_resumes(visitor: Visitor, domain_texts: Dict[str, str]) -> None:
    visitor.say("book a demo")
    visitor.say("/give_consent")
    visitor.say("we need more meetings from the website")
    texts = visitor.texts("do you integrate with Salesforce?")
    assert texts == [domain_texts["utter_integrations"], domain_texts["utter_ask_full_name"]]
    texts = visitor.texts("why do you ask?")  # a second side question: the name is not asked a third time
    assert texts == [get_services().playbook.question("full_name").why, domain_texts["utter_ask_work_email"]]  # type: ignore[union-attr]


def test_declining_consent_keeps_nothing_but_questions_are_still_answered(
    visitor: Visitor, lead_store: LeadStore, domain_texts: Dict[str, str]
) -> None:
    visitor.say("hi")
    assert visitor.texts("/deny_consent") == [domain_texts["utter_consent_declined"]]
    replies = visitor.say("how much does it cost?")
    assert [r["text"] for r in replies] == [domain_texts["utter_pricing"], domain_texts["utter_menu"]]  # and what next
    assert replies[-1]["buttons"][0]["title"] == "Book a demo"
    assert lead_store.conversation_record(visitor.sender) is None


def test_stop_then_come_back_and_pick_up_where_we_left_off(
    visitor: Visitor, lead_store: LeadStore, domain_texts: Dict[str, str]
) -> None:
    visitor.say("hi")
    visitor.say("/give_consent")
    visitor.say("we want to qualify website visitors automatically")
    assert visitor.texts("not now") == [domain_texts["utter_stopped"]]
    assert lead_store.conversation_record(visitor.sender)["outcome"] == "stopped"  # type: ignore[index]
    texts = visitor.texts("hello again")
    assert texts == [domain_texts["utter_welcome_back"], domain_texts["utter_ask_full_name"]]


def test_hostile_and_odd_messages_get_sensible_answers(
    visitor: Visitor, lead_store: LeadStore, domain_texts: Dict[str, str]
) -> None:
    visitor.say("hi")
    visitor.say("/give_consent")
    huge = "We get hundreds of inbound demo requests and our reps cannot answer them fast enough. " * 70
    assert question_asked(visitor.texts(huge), domain_texts) == "full_name"
    hostile_name = "<script>alert('x')</script>"
    texts = visitor.texts(hostile_name)
    assert texts[-1] == domain_texts["utter_ask_full_name"]  # not a name: re-asked once, with a hint
    assert question_asked(visitor.texts("Robert'); DROP TABLE leads;--"), domain_texts) == "work_email"
    assert visitor.texts("😀") == [domain_texts["utter_emoji"], domain_texts["utter_ask_work_email"]]
    texts = visitor.texts("Dzień dobry, chciałbym dowiedzieć się więcej")  # Polish: a language the bot doesn't speak
    assert domain_texts["utter_non_english"] in texts
    record = lead_store.conversation_record(visitor.sender)
    assert record is not None
    assert len(record["answers"]["use_case"]["value"]) <= 501
    assert record["answers"]["full_name"]["raw_text"] == "Robert'); DROP TABLE leads;--"


def test_the_same_message_twice_does_not_break_the_conversation(visitor: Visitor, domain_texts: Dict[str, str]) -> None:
    visitor.say("hi")
    visitor.say("/give_consent")
    visitor.say("/give_consent")
    texts = visitor.texts("automate lead routing")
    assert question_asked(texts, domain_texts) in {"full_name", "use_case"}
