"""Writes conversations into a tracker database the way Rasa does, with Rasa's own store."""

from __future__ import annotations

import asyncio
from typing import Mapping, Sequence

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

START = 1_763_900_000  # a fixed epoch second, so transcripts sort the same every run


def write_conversations(
    database_url: str, conversations: Mapping[str, Sequence[str]], consent: bool | None = True, start: float = START
) -> None:
    """For each sender: each line as a visitor message, the consent slot
    (unless ``consent`` is None), and a bot reply, from ``start`` on."""
    url = make_url(database_url)
    store = SQLTrackerStore(
        Domain.empty(), dialect=url.drivername, host=url.host, port=url.port, db=url.database,
        username=url.username, password=url.password,
    )  # fmt: skip
    for sender, lines in conversations.items():
        tracker = DialogueStateTracker(sender, slots=[])
        for number, line in enumerate(lines):
            tracker.update(UserUttered(line, timestamp=start + number * 10))
            if consent is not None:
                tracker.update(SlotSet("consent", consent, timestamp=start + number * 10))
            tracker.update(BotUttered(f"reply {number}", timestamp=start + number * 10 + 1))
        asyncio.run(store.save(tracker))
    store.engine.dispose()


def write_events(database_url: str, sender: str, events: Sequence[Event]) -> None:
    """Appends ``events`` to the sender's tracker, as the Rasa server saves a turn."""
    url = make_url(database_url)
    store = SQLTrackerStore(
        Domain.empty(), dialect=url.drivername, host=url.host, port=url.port, db=url.database,
        username=url.username, password=url.password,
    )  # fmt: skip
    tracker = asyncio.run(store.retrieve_full_tracker(sender)) or DialogueStateTracker(sender, slots=[])
    for event in events:
        tracker.update(event)
    asyncio.run(store.save(tracker))
    store.engine.dispose()
