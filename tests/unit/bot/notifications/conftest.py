"""The outbox's tests run on both databases it supports: SQLite and a real PostgreSQL."""

from tests.support.databases import database_url, empty_database_url  # noqa: F401 - fixtures
