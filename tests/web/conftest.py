"""The service fixtures (a fresh database per test, on SQLite and on PostgreSQL) for the page tests."""

from tests.service.conftest import db_url, migrated_db, world  # noqa: F401
