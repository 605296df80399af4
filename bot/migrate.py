"""Apply the lead store's Alembic migrations to a database from code."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from bot.settings import PROJECT_ROOT


def upgrade_database(database_url: str, revision: str = "head") -> None:
    """Brings ``database_url`` to ``revision``, by default the newest schema (idempotent)."""
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "bot" / "migrations"))
    config.attributes["database_url"] = database_url
    command.upgrade(config, revision)
