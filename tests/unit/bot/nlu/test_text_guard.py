from __future__ import annotations

import pytest

from bot.nlu.text_guard import MAX_NLU_CHARS, is_emoji_only, is_thumbs_up, looks_non_english, truncate_for_nlu


def test_long_messages_are_cut_at_a_word_boundary() -> None:
    text = "We get hundreds of inbound demo requests. " * 150
    cut = truncate_for_nlu(text)
    assert len(cut) <= MAX_NLU_CHARS
    assert text.startswith(cut)
    assert not cut.endswith(" ")


def test_short_messages_are_untouched() -> None:
    assert truncate_for_nlu("hello") == "hello"
    assert truncate_for_nlu(None) == ""


@pytest.mark.parametrize("text", ["😀", "🎉🎉🎉", "👍🏽", "❤️", " 🙂 🙂 "])
def test_emoji_only(text: str) -> None:
    assert is_emoji_only(text)


@pytest.mark.parametrize("text", [":)", "ok 👍", "", "   ", "123"])
def test_not_emoji_only(text: str) -> None:
    assert not is_emoji_only(text)


def test_thumbs_up_is_a_yes() -> None:
    assert is_thumbs_up("👍")
    assert not is_thumbs_up("👎")


@pytest.mark.parametrize(
    "text",
    [
        "Hola, quiero una demo por favor",
        "Bonjour, je voudrais une démo",
        "Ich möchte eine Demo, bitte",
        "我想要一个演示",
        "Привет, расскажите о продукте",
    ],
)
def test_other_languages_are_recognised(text: str) -> None:
    assert looks_non_english(text)


@pytest.mark.parametrize(
    "text",
    [
        "hello there",
        "we lose leads outside office hours",
        "Gerente de Ventas",
        "José from Madrid",
        "CTO",
        "I want a demo",
    ],
)
def test_english_and_short_answers_are_not_flagged(text: str) -> None:
    assert not looks_non_english(text)
