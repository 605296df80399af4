"""Rasa's SQL tracker store, configured from one database URL, with faster reads and writes.

Rasa wants dialect, host, port, database and credentials as separate keys;
CQL Bot's deployments configure one URL (``TRACKER_DATABASE_URL`` or
``DATABASE_URL``), so this subclass takes it apart.

It keeps Rasa's table and its meaning (the events of the latest session are
those at or after its last ``session_started``), but reads and writes each
turn with fixed SQL statements on the engine of :func:`rasa_server.database.tracker_engine`
(pooled connections, WAL on SQLite), and a tracker it read knows how many of
its events are stored, so saving it does not count them again. Rasa's own store builds an ORM query
with a subquery on every read and every write, and under load a profile of
the Rasa server put a quarter of its CPU in the store, half of that in
SQLAlchemy building cache keys for those queries; on SQLite it also opened a
new connection for every one.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any, Dict, List

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import sessionmaker

from rasa_server.database import tracker_database_url, tracker_engine

# The events of a conversation's latest session, as Rasa's store selects them.
LATEST_SESSION = """
    FROM events AS e,
         (SELECT max("timestamp") AS start FROM events
           WHERE sender_id = :sender_id AND type_name = :session_started) AS latest
    WHERE e.sender_id = :sender_id AND (e."timestamp" >= latest.start OR latest.start IS NULL)
"""
SELECT_LATEST_SESSION = sa.text(f"SELECT e.data {LATEST_SESSION} ORDER BY e.id")
COUNT_LATEST_SESSION = sa.text(f"SELECT count(*) {LATEST_SESSION}")
SELECT_ALL_SESSIONS = sa.text("SELECT data FROM events WHERE sender_id = :sender_id ORDER BY id")

# How many of a tracker's events are stored, kept on the tracker this store read (or wrote): the
# Rasa server holds the conversation's lock from reading to saving, so nobody else added any.
STORED_ATTRIBUTE = "_stored_events"


class DatabaseUrlTrackerStore(SQLTrackerStore):
    """An SQLTrackerStore whose connection comes from the settings' URL."""

    engine: Engine

    def __init__(self, domain: Domain | None = None, event_broker: Any = None, **kwargs: Any) -> None:
        for ignored in ("host", "url", "dialect", "port", "db", "username", "password", "query"):
            kwargs.pop(ignored, None)  # the URL decides; Rasa passes the endpoint's url as host
        database_url = tracker_database_url()
        url = make_url(database_url)
        if url.get_backend_name() == "sqlite" and url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(  # creates the events table when missing
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database,
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            query=dict(url.query),
            **kwargs,
        )
        self.engine.dispose()  # Rasa's; on SQLite it opened a new connection for every session
        self.engine = tracker_engine(database_url)
        self.sessionmaker = sessionmaker(bind=self.engine)
        self._insert = self.SQLEvent.__table__.insert()

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        with self.engine.connect() as connection:
            if fetch_events_from_all_sessions:
                rows = connection.execute(SELECT_ALL_SESSIONS, {"sender_id": sender_id})
            else:
                rows = connection.execute(SELECT_LATEST_SESSION, _latest(sender_id))
            events = [json.loads(data) for (data,) in rows]
        if not self.domain or not events:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        if not fetch_events_from_all_sessions:
            tracker.__dict__[STORED_ATTRIBUTE] = len(events)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Appends the tracker's events that are not stored yet, in one transaction."""
        await self.stream_events(tracker)
        with self.engine.begin() as connection:
            stored = tracker.__dict__.get(STORED_ATTRIBUTE)
            if stored is None:
                stored = _stored_count(connection, tracker.sender_id)
            rows = _event_rows(tracker, stored)
            if rows:
                connection.execute(self._insert, rows)
        tracker.__dict__[STORED_ATTRIBUTE] = stored + len(rows)


def _latest(sender_id: str) -> Dict[str, str]:
    return {"sender_id": sender_id, "session_started": SessionStarted.type_name}


def _stored_count(connection: Connection, sender_id: str) -> int:
    return int(connection.execute(COUNT_LATEST_SESSION, _latest(sender_id)).scalar_one())


def _event_rows(tracker: DialogueStateTracker, stored: int) -> List[Dict[str, Any]]:
    rows = []
    for event in itertools.islice(tracker.events, stored, None):
        data = event.as_dict()
        rows.append(
            {
                "sender_id": tracker.sender_id,
                "type_name": event.type_name,
                "timestamp": data.get("timestamp"),
                "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                "action_name": data.get("name"),
                "data": json.dumps(data),
            }
        )
    return rows
