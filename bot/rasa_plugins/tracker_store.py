"""Rasa's SQL tracker store, configured from one database URL.

Rasa wants dialect, host, port, database and credentials as separate keys;
CQL Bot's deployments configure one URL (``TRACKER_DATABASE_URL`` or
``DATABASE_URL``), so this subclass takes it apart.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from sqlalchemy.engine import make_url

from bot.settings import load_settings


class DatabaseUrlTrackerStore(SQLTrackerStore):
    """An SQLTrackerStore whose connection comes from the settings' URL."""

    def __init__(self, domain: Domain | None = None, event_broker: Any = None, **kwargs: Any) -> None:
        for ignored in ("host", "url", "dialect", "port", "db", "username", "password", "query"):
            kwargs.pop(ignored, None)  # the URL decides; Rasa passes the endpoint's url as host
        url = make_url(load_settings().tracker_database_url)
        dialect = url.get_backend_name()
        if dialect == "sqlite" and url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(
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
