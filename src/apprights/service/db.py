"""Database: declarative base, engine and sessions, and ``upgrade(db_url)`` (Alembic migrations shipped here)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utc_naive(dt: datetime) -> datetime:
    """Datetimes are stored as naive UTC (SQLite keeps no zone)."""
    if dt.tzinfo is not None:
        dt = dt.astimezone(UTC).replace(tzinfo=None)
    return dt


def _sqlite_path(url: str) -> Path | None:
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return Path(url[len("sqlite:///") :])
    return None


def make_engine(url: str, *, pool_size: int = 5) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout, and its directory is created.

    ``pool_size`` is the number of threads that may use the engine at once (the service passes its worker
    threads plus its background runners): every one of them gets a connection without waiting."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    path = _sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=4,
            pool_timeout=10,
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    engine = create_engine(url, pool_size=pool_size, max_overflow=4, pool_timeout=10)
    _ping_when_idle(engine)
    return engine


# A pooled connection is tested before use only when it sat idle in the pool for longer than this. SQLAlchemy's
# ``pool_pre_ping`` tests it on every checkout: one more round trip per request, and under load the connections
# are never idle long enough for the server to have dropped them.
IDLE_PING_SECONDS = 10.0


def _ping_when_idle(engine: Engine) -> None:
    """Pessimistic disconnect handling, only for connections that were idle: a connection that comes out of the
    pool after ``IDLE_PING_SECONDS`` or more runs ``SELECT 1`` first; if that fails (the server restarted,
    a firewall dropped it) the pool discards it and connects again (``DisconnectionError``), so the request does
    not see the dead connection."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info["apprights_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("apprights_idle_since")
        if since is None or time.monotonic() - since < IDLE_PING_SECONDS:
            return
        try:
            cur = dbapi_conn.cursor()
            try:
                cur.execute("SELECT 1")
            finally:
                cur.close()
            dbapi_conn.rollback()
        except Exception as exc:
            raise DisconnectionError(
                f"pooled connection idle for {time.monotonic() - since:.0f} s failed its ping: {exc}"
            ) from exc


READ_ONLY_OPTION = "apprights_read_only"


class WriteInReadSession(RuntimeError):
    """A statement other than a query ran in a read session (a GET/HEAD request): the route must be marked as
    writing (``deps.writes``), so that it gets a transaction."""


def read_engine(engine: Engine) -> Engine:
    """The engine's read view, for requests that only read (GET/HEAD): on PostgreSQL in autocommit mode, so a
    request sends no ``BEGIN`` and no ``ROLLBACK``; on both databases any statement
    other than a query is refused (``WriteInReadSession``) instead of committing statement by statement."""
    options: dict[str, Any] = {READ_ONLY_OPTION: True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "AUTOCOMMIT"
    if not event.contains(engine, "before_cursor_execute", _refuse_writes):
        event.listen(engine, "before_cursor_execute", _refuse_writes)
    return engine.execution_options(**options)


_READ_VERBS = ("SELECT", "WITH", "SHOW", "EXPLAIN")


def _refuse_writes(
    conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _executemany: bool
) -> None:
    if conn.get_execution_options().get(READ_ONLY_OPTION) and not statement.lstrip()[:8].upper().startswith(
        _READ_VERBS
    ):
        raise WriteInReadSession(f"write in a read-only (GET/HEAD) session: {statement[:80]!r}")


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def upgrade(db_url: str, revision: str = "head") -> None:
    """Create or migrate the database at ``db_url`` to ``revision`` with the packaged Alembic migrations."""
    from alembic import command
    from alembic.config import Config

    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()
