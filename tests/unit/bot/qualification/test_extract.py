from __future__ import annotations

import pytest

from bot.qualification.extract import find_answers


def test_an_opening_answers_six_questions_at_once() -> None:
    found = find_answers(
        "Hi, I'm Priya Natarajan, CTO at Quantix Labs (about 300 people), we want a demo this month, priya@quantixlabs.com"
    )
    assert found == {
        "name": "Priya Natarajan",
        "role": "CTO",
        "company": "Quantix Labs",
        "company_size": "about 300 people",
        "timeline": "this month",
        "email": "priya@quantixlabs.com",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm Raj from Fernhill Tools", {"name": "Raj", "company": "Fernhill Tools"}),
        ("Hi I'm the VP Sales at Acme Corp", {"role": "VP Sales", "company": "Acme Corp"}),
        ("hi, I'm an intern doing a school project", {"role": "intern"}),
        ("we're based in Germany, budget approved", {"country": "Germany", "budget": "budget approved"}),
        ("we have ~600 ppl and need it asap", {"company_size": "~600 ppl", "timeline": "asap"}),
    ],
)
def test_clear_answers_are_found(text: str, expected: dict) -> None:
    assert find_answers(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "we lose inbound leads outside office hours",
        "we work with Salesforce and HubSpot",
        "I'm Head of Growth",  # a title is not a name
        "hello",
        "",
        "<script>alert('x')</script>",
        "x" * 20_000,
    ],
)
def test_nothing_is_guessed_from_ordinary_sentences(text: str) -> None:
    found = find_answers(text)
    assert "name" not in found
    assert "company" not in found


def test_a_title_is_never_taken_for_a_name() -> None:
    assert find_answers("Hi I'm Head of Growth at Acme") == {"role": "Head of Growth", "company": "Acme"}
