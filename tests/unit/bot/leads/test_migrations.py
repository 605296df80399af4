"""Migrations carry an existing database forward without losing data."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text

from bot.db import make_engine
from bot.migrate import upgrade_database
from bot.settings import PROJECT_ROOT


def test_a_database_from_the_first_schema_keeps_its_leads_and_answers(empty_database_url: str) -> None:
    url = empty_database_url
    upgrade_database(url, "0001")
    engine = make_engine(url)
    created = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO leads (id, email_normalised, email, email_kind, full_name, status, created_at, updated_at) "
                "VALUES (1, 'ana@coral.example', 'Ana@Coral.example', 'work', 'Ana Silva', 'new', :at, :at)"
            ),
            {"at": created},
        )
        connection.execute(
            text(
                "INSERT INTO conversations (id, sender_id, lead_id, started_at, last_activity_at, utm, consent_given_at) "
                "VALUES (7, 'visitor-1', 1, :at, :at, '{}', :at)"
            ),
            {"at": created},
        )
        connection.execute(
            text(
                "INSERT INTO answers (conversation_id, question, raw_text, value, parsed, attempts) "
                "VALUES (7, 'role', 'vp sales', :value, :parsed, 1)"
            ),
            {"value": '{"title": "vp sales", "seniority": "vp"}', "parsed": True},
        )

    upgrade_database(url)

    with engine.connect() as connection:
        lead = connection.execute(text("SELECT email, full_name, status, score, erased_at FROM leads")).one()
        assert tuple(lead) == ("Ana@Coral.example", "Ana Silva", "new", None, None)
        assert connection.execute(text("SELECT raw_text FROM answers")).scalar_one() == "vp sales"
        assert connection.execute(text("SELECT lead_id FROM conversations")).scalar_one() == 1
    columns = {column["name"] for column in inspect(engine).get_columns("leads")}
    assert {"score", "reasons", "policy_version", "company_size", "timeline_months", "erased_at"} <= columns
    assert "lead_status_changes" in inspect(engine).get_table_names()
    engine.dispose()


def test_leads_conversations_and_chat_opens_from_before_the_languages_were_held_in_english(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    upgrade_database(url, "0011")
    engine = make_engine(url)
    at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO leads (id, email_normalised, email, email_kind, status, created_at, updated_at) "
                "VALUES (1, 'jana@alpenwerk.example', 'jana@alpenwerk.example', 'work', 'cql', :at, :at)"
            ),
            {"at": at},
        )
        connection.execute(
            text(
                "INSERT INTO conversations (id, sender_id, lead_id, started_at, last_activity_at, utm, consent_given_at) "
                "VALUES (3, 'visitor-3', 1, :at, :at, '{}', :at)"
            ),
            {"at": at},
        )
        connection.execute(text("INSERT INTO chat_opens (opened_at) VALUES (:at)"), {"at": at})

    upgrade_database(url)

    with engine.begin() as connection:
        for table in ("leads", "conversations", "chat_opens"):
            assert connection.execute(text(f"SELECT language FROM {table}")).scalars().all() == ["en"], table
        connection.execute(  # a row written without one (an older process still running) is English too
            text(
                "INSERT INTO conversations (sender_id, started_at, last_activity_at, utm, consent_given_at) "
                "VALUES ('visitor-4', :at, :at, '{}', :at)"
            ),
            {"at": at},
        )
        assert (
            connection.execute(text("SELECT language FROM conversations WHERE sender_id = 'visitor-4'")).scalar_one()
            == "en"
        )
    for table in ("leads", "conversations", "chat_opens"):
        column = next(c for c in inspect(engine).get_columns(table) if c["name"] == "language")
        assert column["nullable"] is False, table

    command.downgrade(alembic_config(url), "0011")  # and back, keeping the rows
    assert "language" not in {c["name"] for c in inspect(engine).get_columns("leads")}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM conversations")).scalar_one() == 2
    engine.dispose()


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "bot" / "migrations"))
    config.attributes["database_url"] = database_url
    return config
