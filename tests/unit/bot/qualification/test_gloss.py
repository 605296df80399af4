"""The English gloss of an answer: what the AE reads beside the visitor's own words."""

from __future__ import annotations

from datetime import date

import pytest

from bot.playbook import Parser
from bot.qualification.gloss import NOT_UNDERSTOOD, gloss
from bot.qualification.understand import kept_as_typed, understand

TODAY = date(2026, 11, 23)  # a Monday in the quarter's last half: "this quarter" ends in five weeks


@pytest.mark.parametrize(
    ("parser", "said", "english"),
    [
        (Parser.COMPANY_SIZE, "etwa 400 Mitarbeiter", "400 employees"),
        (Parser.COMPANY_SIZE, "unos 300 empleados", "300 employees"),
        (Parser.COMPANY_SIZE, "environ 250 salariés", "250 employees"),
        (Parser.COMPANY_SIZE, "zwischen 50 und 100", "50-100 employees"),
        (Parser.COMPANY_SIZE, "mehr als 1000", "1,001+ employees"),
        (Parser.COMPANY_SIZE, "nur ich", "1 employee"),
        (Parser.ROLE, "Vertriebsleiter", "head"),
        (Parser.ROLE, "Geschäftsführerin", "C-level"),
        (Parser.ROLE, "Directora de Ventas", "director"),
        (Parser.ROLE, "DRH", "director"),
        (Parser.ROLE, "Fondatrice", "founder"),
        (Parser.TIMELINE, "dieses Quartal", "this quarter (within 2 months)"),
        (Parser.TIMELINE, "cuanto antes", "asap (within 1 month)"),
        (Parser.TIMELINE, "el próximo mes", "next month"),
        (Parser.TIMELINE, "in 3 Monaten", "in 3 months"),
        (Parser.TIMELINE, "je me renseigne", "no timeline"),
        (Parser.BUDGET, "Budget ist freigegeben", "budget approved"),
        (Parser.BUDGET, "lo estamos evaluando", "budget being explored"),
        (Parser.BUDGET, "pas de budget", "no budget"),
        (Parser.COUNTRY, "aus der Schweiz", "Switzerland"),
        (Parser.COUNTRY, "Alemania", "Germany"),
        (Parser.COUNTRY, "Lateinamerika", "LATAM"),
    ],
)
def test_an_answer_in_any_language_is_glossed_in_english(parser: Parser, said: str, english: str) -> None:
    assert gloss(parser, understand(parser, said, TODAY)) == english
    assert gloss(parser.value, understand(parser, said, TODAY)) == english  # as the store names the parser


def test_the_gloss_never_carries_the_visitors_words() -> None:
    unknown_title = understand(Parser.ROLE, "Kaffeeprofi", TODAY)
    assert unknown_title == {"title": "Kaffeeprofi", "seniority": "other"}
    assert gloss(Parser.ROLE, unknown_title) == "title of no known level"
    assert gloss(Parser.COMPANY_SIZE, kept_as_typed(Parser.COMPANY_SIZE, "<script>viele</script>")) == NOT_UNDERSTOOD


def test_answers_with_nothing_to_gloss_have_none() -> None:
    assert gloss(Parser.NAME, "Jürgen Weiß") is None
    assert gloss(Parser.COMPANY, "Lumière Conseil") is None
    assert gloss(Parser.TEXT, "Leads am Wochenende beantworten") is None
    assert gloss(Parser.EMAIL, understand(Parser.EMAIL, "j@weiss.example", TODAY)) is None
    assert gloss(Parser.ROLE, None) is None


def test_a_stored_value_of_an_odd_shape_or_parser_glosses_as_nothing() -> None:
    assert gloss("horoscope", {"min": 5}) is None
    assert gloss(None, {"min": 5}) is None
    assert gloss(Parser.COMPANY_SIZE, {"min": "600", "label": "600"}) is None
    assert gloss(Parser.ROLE, {"title": "Kaiser", "seniority": "emperor"}) is None
    assert gloss(Parser.BUDGET, {"status": "plenty"}) is None
    assert gloss(Parser.TIMELINE, {"earliest": True, "latest": "soon", "label": "soon"}) == "soon"
