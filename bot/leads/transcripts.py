"""Transcripts: the visitor's and the bot's messages, read from (and erased
in) Rasa's SQL tracker store.

Rasa owns the ``events`` table (sender_id, type_name, timestamp, data as
JSON); this module only reads the ``user`` and ``bot`` events of given
senders, and deletes every event of a sender when a lead is erased.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Dict, Iterable, List

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


def transcript_message(type_name: str, timestamp: float | None, data: str | None) -> Dict[str, Any] | None:
    """One event row as a transcript line, or None for a row with no text."""
    try:
        event = json.loads(data or "{}")
    except ValueError:
        return None
    message = event.get("text")
    if not isinstance(message, str) or not message:
        return None
    at = datetime.fromtimestamp(timestamp, timezone.utc) if timestamp else None
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
