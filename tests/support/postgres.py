"""A real PostgreSQL server for a whole test session (Debian's postgresql, started by the tests)."""

from __future__ import annotations

from typing import Iterator

import pytest

from bot.processes.local_servers import PostgresServer


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    yield server
    server.stop()
