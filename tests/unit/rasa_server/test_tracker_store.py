"""Our tracker store against Rasa's own, on the same table: SQLite and a real PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Iterator, List

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from rasa_server.tracker_store import DatabaseUrlTrackerStore

DOMAIN = Domain.load(str(Path(__file__).resolve().parents[3] / "domain.yml"))


@pytest.fixture(params=["sqlite", "postgresql"])
def tracker_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tracker.db'}"
    else:
        url = request.getfixturevalue("postgres").database()
    monkeypatch.setenv("TRACKER_DATABASE_URL", url)
    yield url


def rasa_store(url: str) -> SQLTrackerStore:
    """Rasa's own SQL store on the same database."""
    parsed = make_url(url)
    return SQLTrackerStore(domain=DOMAIN, dialect=parsed.drivername, host=parsed.host, port=parsed.port,
                           db=parsed.database, username=parsed.username)  # fmt: skip


def session(start: float, words: str) -> List[Event]:
    return [
        ActionExecuted("action_session_start", timestamp=start),
        SessionStarted(timestamp=start + 0.1),
        SlotSet("consent", True, timestamp=start + 0.1),
        ActionExecuted("action_listen", timestamp=start + 0.2),
        UserUttered(words, intent={"name": "greet", "confidence": 0.9}, timestamp=start + 1),
        BotUttered("Hi there", timestamp=start + 2),
    ]


def tracker(sender: str, events: List[Event]) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, events, DOMAIN.slots)


def dicts(found: DialogueStateTracker | None) -> List[dict]:
    assert found is not None
    return [event.as_dict() for event in found.events]


def test_a_conversation_saved_turn_by_turn_reads_back_as_rasa_reads_it(tracker_url: str) -> None:
    ours = DatabaseUrlTrackerStore(domain=DOMAIN)
    first, second = session(1_000.0, "hello"), session(5_000.0, "back again")
    asyncio.run(ours.save(tracker("visitor", first[:4])))  # a new conversation
    for new_events in (first[4:], second):  # each turn as the Rasa server takes it: read, add, save
        found = asyncio.run(ours.retrieve("visitor"))
        assert found is not None
        for event in new_events:
            found.update(event)
        asyncio.run(ours.save(found))

    theirs = rasa_store(tracker_url)
    latest = asyncio.run(ours.retrieve("visitor"))
    assert dicts(latest) == dicts(asyncio.run(theirs.retrieve("visitor")))
    # the latest session, from its session_started on (Rasa leaves the action before it out)
    assert dicts(latest) == [event.as_dict() for event in second[1:]]
    everything = asyncio.run(ours.retrieve_full_tracker("visitor"))
    assert dicts(everything) == dicts(asyncio.run(theirs.retrieve_full_tracker("visitor")))
    assert len(dicts(everything)) == 12  # nothing written twice
    assert latest is not None and latest.get_slot("consent") is True


def test_it_carries_on_a_conversation_rasa_stored(tracker_url: str) -> None:
    theirs = rasa_store(tracker_url)
    first = session(1_000.0, "hello")
    asyncio.run(theirs.save(tracker("visitor", first)))

    ours = DatabaseUrlTrackerStore(domain=DOMAIN)
    found = asyncio.run(ours.retrieve("visitor"))
    assert dicts(found) == [event.as_dict() for event in first[1:]]
    assert found is not None
    found.update(UserUttered("one more", timestamp=1_010.0))
    asyncio.run(ours.save(found))
    assert [e["event"] for e in dicts(asyncio.run(theirs.retrieve("visitor")))][-2:] == ["bot", "user"]
    assert len(dicts(asyncio.run(theirs.retrieve_full_tracker("visitor")))) == 7


def test_a_conversation_without_a_session_start_reads_whole(tracker_url: str) -> None:
    ours = DatabaseUrlTrackerStore(domain=DOMAIN)
    events = [UserUttered("hi", timestamp=10.0), BotUttered("Hello", timestamp=11.0)]
    asyncio.run(ours.save(tracker("old", events)))
    assert dicts(asyncio.run(ours.retrieve("old"))) == [event.as_dict() for event in events]


def test_an_unknown_conversation_is_none_and_conversations_do_not_mix(tracker_url: str) -> None:
    ours = DatabaseUrlTrackerStore(domain=DOMAIN)
    asyncio.run(ours.save(tracker("a", session(1_000.0, "from a"))))
    asyncio.run(ours.save(tracker("b", session(1_000.0, "from b"))))
    assert asyncio.run(ours.retrieve("nobody")) is None
    found = asyncio.run(ours.retrieve("b"))
    assert found is not None and found.latest_message is not None and found.latest_message.text == "from b"
    assert sorted(asyncio.run(ours.keys())) == ["a", "b"]


def test_a_tracker_saved_twice_in_one_turn_stores_each_event_once(tracker_url: str) -> None:
    ours = DatabaseUrlTrackerStore(domain=DOMAIN)
    asyncio.run(ours.save(tracker("visitor", session(1_000.0, "hello"))))
    found = asyncio.run(ours.retrieve("visitor"))
    assert found is not None
    found.update(UserUttered("first", timestamp=1_010.0))
    asyncio.run(ours.save(found))
    asyncio.run(ours.save(found))  # nothing new: nothing written
    found.update(BotUttered("second", timestamp=1_011.0))
    asyncio.run(ours.save(found))
    texts = [e.get("text") for e in dicts(asyncio.run(rasa_store(tracker_url).retrieve_full_tracker("visitor")))]
    assert texts.count("first") == 1 and texts.count("second") == 1 and len(texts) == 8
