"""Numbers in words and shorthand, and corrections of an earlier answer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from answers.normalise import parse_company_size
from answers.numbers import words_to_digits
from bot.qualification.corrections import find_corrections, is_correction

ANSWERED = {"email", "company_size", "role", "country", "name", "timeline", "budget", "company"}


@pytest.mark.parametrize(
    ("said", "estimate"),
    [
        ("two hundred and fifty", 250), ("a couple hundred", 200), ("a couple of hundred people", 200),
        ("fifty-ish", 50), ("500ish", 500), ("2k", 2000), ("1.5k", 1500), ("about three hundred people", 300),
        ("twelve hundred", 1200), ("one thousand five hundred", 1500), ("one and a half thousand", 1500),
        ("a few thousand", 3000), ("a dozen of us", 12), ("ten thousand-ish worldwide", 10000), ("just me", 1),
        ("two of us", 2), ("a hundred", 100),
    ],
)  # fmt: skip
def test_head_counts_in_words_and_shorthand(said: str, estimate: int) -> None:
    size = parse_company_size(said)
    assert size is not None and size.estimate == estimate


def test_words_that_are_no_numbers_stay_words() -> None:
    assert words_to_digits("Hi, I'm Priya, one of the founders") == "Hi, I'm Priya, one of the founders"
    assert words_to_digits("smallish") == "smallish"
    assert words_to_digits("First Choice Ltd") == "First Choice Ltd"


@given(st.text(max_size=200))
def test_numbers_never_raise(text: str) -> None:
    words_to_digits(text)
    words_to_digits(text, small=True)


@pytest.mark.parametrize(
    ("said", "parser", "piece"),
    [
        ("sorry, typo earlier: we're 5 people, not 5000", "company_size", "5"),
        ("actually we're 50, not 500", "company_size", "50"),
        ("wait no, it's five of us, not fifty 😅", "company_size", "5"),
        ("sorry, I meant Director", "role", "Director"),
        ("actually, I'm the VP of Sales", "role", "VP of Sales"),
        ("wrong email, it's jo@brightpath.io", "email", "jo@brightpath.io"),
        ("scratch that, we're in Canada", "country", "Canada"),
        ("oops my name is spelled Kris with a K", "name", "Kris"),
        ("actually we want it this quarter", "timeline", "this quarter"),
        ("sorry, I meant 800", "company_size", "800"),
        ("oops, make that 1.2k", "company_size", "1.2k"),
        ("sorry I meant 6 months", "timeline", "in 6 months"),
    ],
)
def test_corrections_name_what_they_correct(said: str, parser: str, piece: str) -> None:
    assert find_corrections(said, ANSWERED).get(parser) == piece


def test_no_correction_without_saying_so_or_for_an_unanswered_question() -> None:
    for said in ("Acme Robotics", "we are 500 people", "VP Sales", "approved"):
        assert not is_correction(said) and find_corrections(said, ANSWERED) == {}
    assert find_corrections("actually we're 50, not 500", {"role"}) == {}


def test_a_bare_number_at_a_question_that_takes_numbers_answers_that_question() -> None:
    assert find_corrections("sorry, it's 50k", ANSWERED, asked="budget") == {}
    assert find_corrections("sorry, I meant 800", ANSWERED, asked="timeline") == {"company_size": "800"}
    assert find_corrections("sorry, I meant 3", ANSWERED, asked="timeline") == {}  # three months, perhaps
    assert "company_size" not in find_corrections("sorry, I meant $800", ANSWERED)
    assert "company_size" not in find_corrections("sorry I meant 6 months", ANSWERED)


@pytest.mark.parametrize(
    ("said", "name"),
    [
        ("actually its Mara Jenssen", "Mara Jenssen"),
        ("sorry, Jenssen with two s", "Mara Jenssen"),
        ("oops, I'm Marra", "Marra Jensen"),
    ],
)
def test_a_new_spelling_of_the_name_corrects_it_unnamed(said: str, name: str) -> None:
    assert find_corrections(said, ANSWERED, asked="email", earlier_name="Mara Jensen") == {"name": name}


def test_a_word_unlike_the_name_given_is_no_name() -> None:
    for said in ("actually it's Acme", "sorry, it is Jensen Labs", "actually I'm Mara Jensen", "actually it's Kris"):
        assert "name" not in find_corrections(said, ANSWERED, asked="email", earlier_name="Mara Jensen"), said
    assert "name" not in find_corrections("actually its Mara Jenssen", ANSWERED, asked="email")
