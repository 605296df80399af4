"""Fixtures shared by unit and integration tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Iterator

import pytest

from bot.clock import FixedClock
from bot.db import make_engine, make_session_factory
from bot.leads.store import LeadStore
from bot.migrate import upgrade_database
from bot.services import Services, build_services, install
from bot.settings import load_settings
from tests.support.programs import ProgramRecorder, manifest

#: Every program the session starts; one the set-up script does not provide fails the session.
PROGRAMS = ProgramRecorder()


def pytest_configure(config: pytest.Config) -> None:
    PROGRAMS.install()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    PROGRAMS.uninstall()
    unprovided = PROGRAMS.unprovided(manifest())
    if unprovided:
        session.config.get_terminal_writer().line(
            f"tests started programs that scripts/system-packages.tsv does not provide: {sorted(unprovided)}", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


#: The tests' "now": a Monday in late November.
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'leads.db'}"
    upgrade_database(url)
    return url


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store(database_url: str, clock: FixedClock) -> LeadStore:
    return LeadStore(make_session_factory(make_engine(database_url)), clock)


@pytest.fixture
def services(database_url: str, store: LeadStore, clock: FixedClock) -> Iterator[Services]:
    """The process-wide services, on a fresh database and a fixed clock."""
    settings = load_settings({"DATABASE_URL": database_url})
    built = replace(build_services(settings, clock), leads=store)
    install(built)
    yield built
    install(None)


from tests.support.postgres import postgres  # noqa: E402, F401

# The running stack, a web app alone, the Slack stand-in and a visitor, for the
# integration and security tests (defined once here, so one session shares them).
from tests.support.stack import api_server, domain_texts, lead_store, slack_stub, stack, visitor  # noqa: E402, F401
