"""Answers as one typed value: what each parser's slot value means, read in one place."""

from __future__ import annotations

from datetime import date

from answers.normalise import Seniority
from bot.playbook import Parser, load_playbook
from bot.qualification.answers import NOT_ANSWERED, Answer, Answers
from bot.qualification.understand import kept_as_typed, understand
from bot.settings import PROJECT_ROOT

PLAYBOOK = load_playbook(PROJECT_ROOT / "ops" / "questions.yml")
TODAY = date(2026, 12, 2)


def said(slot: str, text: str) -> Answer:
    question = PLAYBOOK.question(slot)
    assert question is not None
    return Answer(understand(question.parser, text, TODAY))


def test_each_parser_reads_back_as_its_own_type() -> None:
    assert said("company_size", "two hundred and fifty").company_size == 250
    assert said("company_size", "between 50 and 150 people").company_size == 100
    role = said("role", "VP of Sales")
    assert (role.seniority, role.role_title) == (Seniority.VP, "VP of Sales")
    assert said("timeline", "within 3 months").timeline_months == 3.0
    assert said("budget", "yes, budget is approved").budget == "approved"
    email = said("work_email", "Ana.Silva@Coral.example")
    assert (email.email_address, email.email_normalised, email.email_kind) == (
        "Ana.Silva@coral.example", "ana.silva@coral.example", "work"
    )  # fmt: skip
    country = said("country", "Germany")
    assert (country.country_code, country.country_name) == ("DE", "Germany")
    assert said("use_case", "we miss demo requests at night").text == "we miss demo requests at night"


def test_an_answer_kept_as_typed_keeps_its_words_and_means_nothing() -> None:
    kept = Answer(kept_as_typed(Parser.COMPANY_SIZE, "loads of us"))
    assert kept.given and not kept.was_understood
    assert kept.text == "loads of us"
    assert kept.understood is None
    assert (kept.company_size, kept.timeline_months, kept.seniority, kept.budget) == (None, None, None, None)


def test_a_missing_answer_is_not_given_and_reads_as_nothing() -> None:
    answers = Answers.of({"company_size": None}, PLAYBOOK)
    assert answers["company_size"] is NOT_ANSWERED
    assert "company_size" not in answers
    assert not NOT_ANSWERED.given
    assert NOT_ANSWERED.text == ""
    assert answers.by_parser(Parser.EMAIL) is NOT_ANSWERED


def test_odd_values_in_a_slot_read_as_unknown_not_as_an_error() -> None:
    assert Answer({"min": "600"}).company_size is None
    assert Answer({"seniority": "emperor"}).seniority is None
    assert Answer({"latest": True}).timeline_months is None
    assert Answer(42).text == ""
    assert Answer({"status": ""}).budget is None


def test_an_answer_is_found_by_the_parser_the_playbook_reads_it_with() -> None:
    answers = Answers.of({"work_email": understand(Parser.EMAIL, "ana@coral.example", TODAY)}, PLAYBOOK)
    assert answers.by_parser(Parser.EMAIL).email_address == "ana@coral.example"
    assert Answers.of(answers.slots()).by_parser(Parser.EMAIL) is NOT_ANSWERED  # no playbook: by slot only


def test_stored_rows_keep_their_parser_and_skip_unknown_ones() -> None:
    answers = Answers.stored(
        [
            ("work_email", "email", {"address": "a@b.example"}),
            ("industry", "retired_parser", "retail"),
            ("x", None, None),
        ]
    )
    assert answers.by_parser(Parser.EMAIL).email_address == "a@b.example"
    assert answers["industry"].text == "retail"
    assert "x" not in answers
    assert dict(answers.parsers) == {"work_email": Parser.EMAIL}
