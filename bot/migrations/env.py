"""Alembic environment: migrates the database named by DATABASE_URL."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

import bot.notifications.outbox  # noqa: F401 - registers the outbox table on the metadata
from bot.db import make_engine
from bot.leads.models import metadata
from bot.settings import load_settings
from calendar_booking.tables import metadata as booking_metadata

if context.config.config_file_name is not None:
    fileConfig(context.config.config_file_name)


def _ours(name: str | None, type_: str, parent_names: object) -> bool:
    """Rasa's tracker tables may share the database (PostgreSQL); leave them be."""
    return type_ != "table" or name in metadata.tables or name in booking_metadata.tables


def run_migrations_online() -> None:
    url = context.config.attributes.get("database_url") or load_settings().database_url
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=[metadata, booking_metadata],
            render_as_batch=True,
            include_name=_ours,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run against a database")
run_migrations_online()
