"""Transcripts: the visitor's and the bot's messages, read from (and erased
in) Rasa's SQL tracker store.

Rasa owns the ``events`` table (sender_id, type_name, timestamp, data as
JSON); this module only reads the ``user`` and ``bot`` events of given
senders, and deletes every event of a sender when a lead is erased.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Dict, Iterable, Iterator, List, Set, Tuple

from sqlalchemy import bindparam, inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import StoreError

EVENTS_TABLE = "events"
MAX_TRANSCRIPT_MESSAGES = 2000

_SELECT = text(
    "SELECT sender_id, type_name, timestamp, data FROM events "
    "WHERE sender_id IN :senders AND type_name IN ('user', 'bot') ORDER BY id"
).bindparams(bindparam("senders", expanding=True))
_DELETE = text("DELETE FROM events WHERE sender_id IN :senders").bindparams(bindparam("senders", expanding=True))
_IDLE_SENDERS = text(
    "SELECT sender_id FROM events WHERE sender_id > :after GROUP BY sender_id "
    "HAVING MAX(timestamp) < :cutoff ORDER BY sender_id LIMIT :batch"
)
_CONSENT_EVENTS = text(
    "SELECT sender_id, data FROM events WHERE sender_id IN :senders AND type_name = 'slot' "
    "AND data LIKE '%\"consent\"%' ORDER BY id"
).bindparams(bindparam("senders", expanding=True))
CONSENT_SLOT = "consent"
PURGE_BATCH = 500

_SELECT_CONVERSATION = text("SELECT data FROM events WHERE sender_id = :sender_id ORDER BY id")
_CONSENTING_SENDERS = text(
    "SELECT DISTINCT sender_id FROM events WHERE sender_id > :after AND type_name = 'slot' "
    "AND data LIKE '%\"consent\"%' ORDER BY sender_id LIMIT :batch"
)


def transcript_message(type_name: str, timestamp: float | None, data: str | None) -> Dict[str, Any] | None:
    """One event row as a transcript line, or None for a row with no text."""
    try:
        event = json.loads(data or "{}")
    except ValueError:
        return None
    message = event.get("text")
    if not isinstance(message, str) or not message:
        return None
    at = datetime.fromtimestamp(timestamp, UTC) if timestamp else None
    return {"from": "visitor" if type_name == "user" else "bot", "text": message, "at": at}


class TranscriptStore:
    """Reads and erases conversations in Rasa's tracker database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._table_seen = False

    def _has_events(self) -> bool:
        # Rasa creates the table on its first start; before that, there is nothing to read.
        if not self._table_seen:
            self._table_seen = bool(inspect(self._engine).has_table(EVENTS_TABLE))
        return self._table_seen

    def messages(self, sender_ids: Iterable[str]) -> Dict[str, List[Dict[str, Any]]]:
        """Each sender's messages in order (at most MAX_TRANSCRIPT_MESSAGES each)."""
        senders = sorted(set(sender_ids))
        result: Dict[str, List[Dict[str, Any]]] = {sender: [] for sender in senders}
        if not senders:
            return result
        try:
            if not self._has_events():
                return result
            with self._engine.connect() as connection:
                for sender, type_name, timestamp, data in connection.execute(_SELECT, {"senders": senders}):
                    lines = result[sender]
                    line = transcript_message(type_name, timestamp, data)
                    if line is not None and len(lines) < MAX_TRANSCRIPT_MESSAGES:
                        lines.append(line)
        except SQLAlchemyError as exc:
            raise StoreError(f"tracker store read failed: {exc.__class__.__name__}") from exc
        return result

    def conversation_events(self, sender_id: str) -> List[Dict[str, Any]]:
        """Every event of the sender, every session, oldest first (none before Rasa's first start)."""
        try:
            if not self._has_events():
                return []
            with self._engine.connect() as connection:
                rows = connection.execute(_SELECT_CONVERSATION, {"sender_id": sender_id})
                events = [_event(data) for (data,) in rows]
        except SQLAlchemyError as exc:
            raise StoreError(f"tracker store read failed: {exc.__class__.__name__}") from exc
        return [event for event in events if event is not None]

    def consented_senders(self) -> Iterator[str]:
        """Every sender whose tracker's latest consent slot says yes, in batches."""
        after = ""
        while True:
            try:
                if not self._has_events():
                    return
                with self._engine.connect() as connection:
                    batch = [
                        row[0]
                        for row in connection.execute(_CONSENTING_SENDERS, {"after": after, "batch": PURGE_BATCH})
                    ]
                    consented = (
                        _consented_senders(connection.execute(_CONSENT_EVENTS, {"senders": batch})) if batch else set()
                    )
            except SQLAlchemyError as exc:
                raise StoreError(f"tracker store read failed: {exc.__class__.__name__}") from exc
            yield from (sender for sender in batch if sender in consented)
            if len(batch) < PURGE_BATCH:
                return
            after = batch[-1]

    def purge_unconsented(self, idle_since: datetime) -> Tuple[int, int]:
        """Erases the conversations of visitors who did not consent (declined,
        withdrew, or never answered) and have been quiet since ``idle_since``.
        Returns how many conversations and events went."""
        conversations = events = 0
        try:
            if not self._has_events():
                return 0, 0
            after = ""
            while True:
                with self._engine.connect() as connection:
                    parameters = {"after": after, "cutoff": idle_since.timestamp(), "batch": PURGE_BATCH}
                    idle = [row[0] for row in connection.execute(_IDLE_SENDERS, parameters)]
                    if not idle:
                        return conversations, events
                    consented = _consented_senders(connection.execute(_CONSENT_EVENTS, {"senders": idle}))
                unconsented = [sender for sender in idle if sender not in consented]
                if unconsented:
                    conversations += len(unconsented)
                    events += self.erase(unconsented)
                if len(idle) < PURGE_BATCH:
                    return conversations, events
                after = idle[-1]
        except SQLAlchemyError as exc:
            raise StoreError(f"tracker store purge failed: {exc.__class__.__name__}") from exc

    def erase(self, sender_ids: Iterable[str]) -> int:
        """Deletes every event of these senders; returns how many rows went."""
        senders = sorted(set(sender_ids))
        if not senders:
            return 0
        try:
            if not self._has_events():
                return 0
            with self._engine.begin() as connection:
                return int(connection.execute(_DELETE, {"senders": senders}).rowcount or 0)
        except SQLAlchemyError as exc:
            raise StoreError(f"tracker store erase failed: {exc.__class__.__name__}") from exc


def _event(data: str | None) -> Dict[str, Any] | None:
    try:
        event = json.loads(data or "{}")
    except ValueError:
        return None
    return event if isinstance(event, dict) else None


def _consented_senders(rows: Iterable[Tuple[str, str]]) -> Set[str]:
    """Senders whose latest consent slot event says yes (rows in event order)."""
    latest: Dict[str, Any] = {}
    for sender, data in rows:
        try:
            event = json.loads(data or "{}")
        except ValueError:
            continue
        if event.get("name") == CONSENT_SLOT:
            latest[sender] = event.get("value")
    return {sender for sender, value in latest.items() if value is True}
