"""Transcripts read from, and erased in, a tracker store Rasa itself wrote."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.db import make_engine
from bot.leads.transcripts import TranscriptStore
from tests.support.transcripts import START, write_conversations


@pytest.fixture
def tracker_db(empty_database_url: str) -> str:
    write_conversations(empty_database_url, {"visitor-a": ["hi", "I'm Ana <b>Silva</b>"], "visitor-b": ["hello"]})
    return empty_database_url


def test_reads_each_senders_messages_in_order(tracker_db: str) -> None:
    transcripts = TranscriptStore(make_engine(tracker_db))
    messages = transcripts.messages(["visitor-a", "visitor-b", "visitor-c"])
    assert [(m["from"], m["text"]) for m in messages["visitor-a"]] == [
        ("visitor", "hi"),
        ("bot", "reply 0"),
        ("visitor", "I'm Ana <b>Silva</b>"),
        ("bot", "reply 1"),
    ]
    assert messages["visitor-a"][0]["at"].timestamp() == START
    assert len(messages["visitor-b"]) == 2
    assert messages["visitor-c"] == []


def test_erase_deletes_every_event_of_those_senders_only(tracker_db: str) -> None:
    transcripts = TranscriptStore(make_engine(tracker_db))
    assert transcripts.erase(["visitor-a"]) == 6  # two user, two bot, two slot events
    assert transcripts.messages(["visitor-a"])["visitor-a"] == []
    assert len(transcripts.messages(["visitor-b"])["visitor-b"]) == 2
    assert transcripts.erase(["visitor-a"]) == 0


def test_a_tracker_store_rasa_never_created_reads_as_empty(empty_database_url: str) -> None:
    transcripts = TranscriptStore(make_engine(empty_database_url))
    assert transcripts.messages(["x"]) == {"x": []}
    assert transcripts.erase(["x"]) == 0


def test_conversations_without_consent_are_purged_once_quiet(empty_database_url: str) -> None:
    now = datetime.fromtimestamp(START + 100_000, UTC)
    write_conversations(empty_database_url, {"kept": ["hi", "yes"]}, consent=True)
    write_conversations(empty_database_url, {"declined": ["hi", "Ana, ana@x.example"]}, consent=False)
    write_conversations(empty_database_url, {"silent": ["what does it cost?"]}, consent=None)
    write_conversations(empty_database_url, {"still-talking": ["hi"]}, consent=None, start=now.timestamp() - 60)
    write_conversations(empty_database_url, {"withdrew": ["hi"]}, consent=True)
    write_conversations(empty_database_url, {"withdrew": ["hi", "forget me"]}, consent=False)  # appended after
    transcripts = TranscriptStore(make_engine(empty_database_url))

    conversations, events = transcripts.purge_unconsented(now - timedelta(minutes=60))

    assert conversations == 3
    remaining = transcripts.messages(["kept", "declined", "silent", "still-talking", "withdrew"])
    assert {sender for sender, lines in remaining.items() if lines} == {"kept", "still-talking"}
    assert events > 0
    assert transcripts.purge_unconsented(now - timedelta(minutes=60)) == (0, 0)


def test_the_purge_pages_past_many_consented_conversations(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.leads.transcripts.PURGE_BATCH", 2)
    write_conversations(empty_database_url, {f"a{n}": ["hi"] for n in range(5)}, consent=True)
    write_conversations(empty_database_url, {"z-declined": ["hi"]}, consent=False)
    transcripts = TranscriptStore(make_engine(empty_database_url))
    assert transcripts.purge_unconsented(datetime.fromtimestamp(START + 10_000, UTC))[0] == 1
