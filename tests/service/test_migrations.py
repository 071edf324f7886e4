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


def test_downgrade_and_upgrade_again(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from alembic import command
    from alembic.config import Config

    from apprights.service.db import MIGRATIONS_DIR

    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        with engine.connect() as conn:
            left = conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type='table'").scalars().all()
        assert set(left) <= {"alembic_version"}
    finally:
        engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM provinces").scalar() == 31
    finally:
        engine.dispose()
