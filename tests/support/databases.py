"""Fixtures for tests that must pass on both databases we support: SQLite
and a real PostgreSQL (started by the session fixture ``postgres``).
A conftest imports them to make its tests run twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.migrate import upgrade_database
from bot.processes.local_servers import PostgresServer


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'leads.db'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    return server.database()


@pytest.fixture
def database_url(empty_database_url: str) -> str:
    upgrade_database(empty_database_url)
    return empty_database_url
