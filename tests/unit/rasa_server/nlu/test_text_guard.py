from __future__ import annotations

import pytest

from rasa_server.nlu.text_guard import (
    MAX_NLU_CHARS,
    is_emoji_only,
    is_thumbs_up,
    mostly_non_latin,
    text_for_nlu,
    truncate_for_nlu,
)


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


@pytest.mark.parametrize("text", ["我想要一个演示", "Привет, расскажите о продукте", "デモをお願いします"])
def test_non_latin_scripts_are_recognised(text: str) -> None:
    assert mostly_non_latin(text)


@pytest.mark.parametrize("text", ["hello there", "Gerente de Ventas", "José from Madrid", "CTO", "Zoë 👋", "ok 我"])
def test_latin_script_and_short_answers_are_not_flagged(text: str) -> None:
    assert not mostly_non_latin(text)


def test_a_wave_is_a_greeting_and_plain_answers_are_answers() -> None:
    from rasa_server.nlu.text_guard import asks_for_meeting, is_plain_answer, is_wave, reads_as_name

    assert is_wave("👋") and is_wave("👋🏽") and not is_wave("hi 👋") and not is_wave("👍")
    for answer in ("600", "~2k", "50-100 people", "CRO", "VP Sales", "germany", "jo@brightpath.io", "head of growth"):
        assert is_plain_answer(answer), answer
    for other in ("hello", "demo", "later", "10am", "the second one", "not now", "talk to a manager", "how much?"):
        assert not is_plain_answer(other), other
    for request in (
        "hello, looking for a demo",
        "demo please",
        "can we book a call?",
        "I want to talk to sales",
        "Requesting a demo on behalf of Kellerman & Co.",
        "would a short demo be possible",
        "Our VP asked me to find a tool that chats with website visitors and books meetings. Could someone show us?"
        " A demo would help.",
        "I'm exploring options for automating our lead qualification, would a short demo be possible?",
        "super interested. can we talk next week?",
    ):
        assert asks_for_meeting(request), request
    for other in (
        "we miss demo requests",
        "get more demo bookings",
        "we lose leads after hours",
        "book more demos",
        "book demos automatically from our pricing page",
        "Demo Labs",
        "our leads should book a demo with the right rep, can you do that?",
        "visitors end up in demo requests nobody answers, we'd like that fixed",
    ):
        assert not asks_for_meeting(other), other
    assert reads_as_name("Acme Robotics") and not reads_as_name("are you a bot?") and not reads_as_name("acme")


def test_markup_is_not_what_the_visitor_says() -> None:
    xss = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
    assert text_for_nlu(f"we lose leads at night {xss}") == "we lose leads at night"
    assert text_for_nlu("<b>demo</b> please") == "demo please"
    assert text_for_nlu("we're <50 people and > 10 teams") == "we're <50 people and > 10 teams"  # no tag
    assert text_for_nlu("<script>alert(1)</script>") == "<script>alert(1)</script>"  # nothing else: kept
    assert len(text_for_nlu("<p>" + "word " * 1000)) <= MAX_NLU_CHARS


@pytest.mark.parametrize(
    "text",
    [
        "not now",
        "Not right now.",
        "maybe later",
        "jetzt nicht",
        "später",
        "ahora no",
        "más tarde",
        "pas maintenant",
        "plus tard, merci",
    ],
)
def test_a_no_for_now_is_read_in_every_language(text: str) -> None:
    from rasa_server.nlu.text_guard import is_not_now

    assert is_not_now(text)


@pytest.mark.parametrize("text", ["no", "not interested", "now is fine", "later this year we want to buy", "nein"])
def test_a_plain_no_or_a_timeline_is_no_no_for_now(text: str) -> None:
    from rasa_server.nlu.text_guard import is_not_now

    assert not is_not_now(text)
