"""The shipped Alembic migrations produce exactly the schema the models describe (no drift), on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from apprights.service.db import make_engine, upgrade
from apprights.service.models import Base


def test_models_match_migrations(db_url: str) -> None:
    upgrade(db_url)  # already at head: a no-op
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(ctx, Base.metadata)
            provinces = conn.exec_driver_sql("SELECT count(*) FROM provinces").scalar()
    finally:
        engine.dispose()
    assert diff == []
    assert provinces == 31
