"""Transcripts read from, and erased in, a tracker store Rasa itself wrote."""

from __future__ import annotations

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
