"""The dashboard's numbers are checked on both databases: SQLite and a real PostgreSQL."""

from tests.support.databases import database_url, empty_database_url  # noqa: F401 - fixtures
