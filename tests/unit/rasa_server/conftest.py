"""Fixtures of the Rasa server's tests, which run in its own environment (``make unit``
passes ``--confcutdir`` so that the product's tests/conftest.py is not loaded here)."""

from __future__ import annotations

from typing import Iterator

import pytest

from bot.processes.local_servers import PostgresServer


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the whole test session."""
    server = PostgresServer()
    server.start()
    yield server
    server.stop()
