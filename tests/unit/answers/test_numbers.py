"""Numbers in words in the languages the bot speaks, read without being told which."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from answers.numbers import words_to_digits


@pytest.mark.parametrize(
    ("said", "digits"),
    [
        ("rund zweihundert leute", "rund 200 leute"),
        ("etwa fünfzig mitarbeiter", "etwa 50 mitarbeiter"),
        ("etwa fuenfzig mitarbeiter", "etwa 50 mitarbeiter"),  # typed without the umlaut
        ("funfzig", "50"),
        ("dreitausendfünfhundert", "3500"),
        ("zwei tausend", "2000"),
        ("ein paar hundert", "200"),
        ("unos trescientos empleados", "unos 300 empleados"),  # "unos" is "about", not "1"
        ("unas doscientas personas", "unas 200 personas"),
        ("más de mil", "más de 1000"),
        ("entre cincuenta y cien personas", "entre 50 y 100 personas"),
        ("veintidos", "22"),
        ("5 mil", "5000"),
        ("un par de cientos", "200"),
        ("environ deux cent cinquante salariés", "environ 250 salariés"),
        ("quatre-vingts salariés", "80 salariés"),
        ("une centaine", "100"),
        ("une vingtaine de personnes", "20 de personnes"),
        ("quelques centaines", "300"),
        ("plusieurs milliers", "5000"),
        ("2 thousand", "2000"),
        ("1.5 thousand", "1500"),
    ],
)
def test_numbers_in_words_in_every_language(said: str, digits: str) -> None:
    assert words_to_digits(said) == digits


@pytest.mark.parametrize(
    ("said", "digits"),
    [
        ("in zwei wochen", "in 2 wochen"),
        ("en tres meses", "en 3 meses"),
        ("dans trois mois", "dans 3 mois"),
        ("ein paar leute", "2 leute"),
        ("quelques personnes", "3 personnes"),
        ("media docena de personas", "6 de personas"),
    ],
)
def test_small_numbers_in_every_language(said: str, digits: str) -> None:
    assert words_to_digits(said, small=True) == digits


@pytest.mark.parametrize(
    "said",
    [
        "once we have budget",  # Spanish eleven
        "seize the day",  # French sixteen
        "by sept",  # French seven
        "elf on the shelf",  # German eleven
        "a null value",  # German zero
        "50 per cent",  # French hundred
        "dos and don'ts",  # Spanish two
        "funfair",  # "funf" is "fünf" only in a number
        "un peu",  # an article on its own is no number
    ],
)
def test_english_words_that_are_numbers_elsewhere_stay_words(said: str) -> None:
    assert words_to_digits(said) == said
    assert words_to_digits(said, small=True) == said


@given(st.text(alphabet="zweihundertfünfmilcentunosdyàé -,.0123456789", max_size=200))
def test_numbers_in_any_language_never_raise(text: str) -> None:
    words_to_digits(text)
    words_to_digits(text, small=True)
