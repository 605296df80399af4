"""The Rasa server finds its tracker where the product reads it (rasa_server/database.py against bot/settings.py)."""

from __future__ import annotations

import pytest

from bot.settings import load_settings
from rasa_server.database import TrackerDatabaseMissingError, tracker_database_url


@pytest.mark.parametrize(
    "env",
    [
        {"DATABASE_URL": "postgresql://cqlbot@db/cqlbot"},
        {"DATABASE_URL": "postgresql://cqlbot@db/cqlbot", "TRACKER_DATABASE_URL": "postgresql://rasa@db/tracker"},
        {"DATABASE_URL": "sqlite:///var/leads.db", "TRACKER_DATABASE_URL": "sqlite:///var/t.db"},
    ],
)
def test_the_rasa_server_finds_the_tracker_where_the_product_reads_it(env: dict) -> None:
    assert tracker_database_url(env) == load_settings(env).tracker_database_url


def test_a_sqlite_lead_store_without_a_tracker_url_is_refused_with_the_variable_named() -> None:
    with pytest.raises(TrackerDatabaseMissingError, match="TRACKER_DATABASE_URL is not set"):
        tracker_database_url({"DATABASE_URL": "sqlite:///var/leads.db"})
    with pytest.raises(TrackerDatabaseMissingError):
        tracker_database_url({})
