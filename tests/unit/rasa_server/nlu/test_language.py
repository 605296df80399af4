"""Which language a message is in, and requests for one, on real text."""

from __future__ import annotations

import pytest

from benchmarks.language_id import EVAL_SET, tally
from rasa_server.nlu.language import identify, requested_language


@pytest.mark.parametrize(
    "text, language",
    [
        ("Hallo, wir bräuchten mal eine Demo", "de"),
        ("hola, cuanto cuesta la licencia?", "es"),
        ("bonjour, je voudrais une démo svp", "fr"),
        ("hi, can I get a demo next week?", "en"),
        ("wir sind so etwa 300 Leute", "de"),
    ],
)
def test_a_message_of_a_few_words_gets_its_language(text: str, language: str) -> None:
    assert identify(text) == language


@pytest.mark.parametrize("text", ["ok", "Acme", "250", "lena@kornfeld.de", "👍👍", "", "   ", "10:00"])
def test_a_message_with_no_language_of_its_own_gets_none(text: str) -> None:
    assert identify(text) is None


def test_a_huge_message_is_read_only_as_far_as_it_needs() -> None:
    assert identify("Guten Tag, ich hätte gern eine Demo. " * 5000) == "de"


@pytest.mark.parametrize(
    "text, language",
    [
        ("can we speak English?", "en"),
        ("English please", "en"),
        ("Deutsch?", "de"),
        ("auf Deutsch bitte", "de"),
        ("Können wir auf Englisch weitermachen?", "en"),
        ("¿hablas español?", "es"),
        ("en español por favor", "es"),
        ("en français svp", "fr"),
        ("Vous parlez français ?", "fr"),
        ("can we speak Italian?", "it"),
        ("can we switch to English please? it's easier for my team to read the transcript", "en"),
        ("Could we do this in English? I'm more comfortable in English", "en"),
        ("Können wir bitte auf Deutsch weitermachen? Mein Englisch ist nicht so gut.", "de"),
        ("perdón, ¿podemos seguir en español? no entiendo bien todo", "es"),
    ],
)
def test_a_request_for_a_language_is_read_in_any_of_ours(text: str, language: str) -> None:
    assert requested_language(text) == language


@pytest.mark.parametrize(
    "text",
    [
        "does the bot speak Spanish?",
        "what languages does it support",
        "Can it speak Spanish and German?",
        "I'm German, 300 people at Kornfeld, we want a demo next month for our sales team",
        "we sell to French and Spanish customers",
        "hello",
        "does the bot speak Spanish? we have a lot of customers in Mexico and Spain",
        "el bot habla español? y portugués? tenemos clientes en Brasil",
        "¿Qué pasa si el visitante escribe en inglés?",
        "Hola, ¿tienen una demo en español?",
        "Und wenn ein Besucher auf Englisch schreibt?",
        "We are a team of 40 in Lyon, most of our visitors write in French or in Dutch, can the bot do both?",
    ],
)
def test_talk_of_languages_is_no_request(text: str) -> None:
    assert requested_language(text) is None


def test_on_the_evaluation_set_a_wrong_language_is_rare_and_a_name_gets_none() -> None:
    import yaml

    counts = tally(yaml.safe_load(EVAL_SET.read_text(encoding="utf-8")))
    assert counts["wrong"] <= 0.01 * counts["spoken"]  # 4 of 600 when chosen
    assert counts["right"] >= 0.75 * counts["spoken"]  # 460 of 600: the rest keeps the conversation's
    assert counts["und_kept"] >= 0.95 * counts["und"]
