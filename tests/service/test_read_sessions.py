"""GET/HEAD requests use read sessions (``db.read_engine``): on PostgreSQL no transaction round trips (autocommit),
on both databases a write is refused instead of committing statement by statement; the case list answers in two
statements (the token and the page with its total); pooled connections are tested only after sitting idle."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, text

from apprights.service import db
from apprights.service.db import WriteInReadSession, make_engine, make_sessionmaker, read_engine
from tests.service.conftest import ADMIN_PASSWORD, PG_ADMIN_URL, World


def _statements(world: World, role: str, url: str) -> list[tuple[str, Any]]:
    engine = world.client.app.state.sessionmaker.kw["bind"]
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, _cur: Any, statement: str, *_: Any) -> None:
        dbapi = conn.connection.dbapi_connection
        seen.append((statement, getattr(dbapi, "autocommit", None)))

    event.listen(engine, "before_cursor_execute", record)
    try:
        world.ok(role, "GET", url)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_case_list_is_two_statements_without_a_transaction(world: World) -> None:
    for role in ("ministry", "province", "enterprise"):
        seen = _statements(world, role, "/api/v1/cases?limit=5")
        assert len(seen) == 2, (role, [s for s, _ in seen])
        assert "api_tokens" in seen[0][0] and "count(*)" in seen[1][0], (role, seen)
        if world.settings.resolved_db_url().startswith("postgresql"):
            assert all(autocommit is True for _, autocommit in seen), (role, seen)  # no BEGIN, no ROLLBACK


def test_a_write_in_a_read_session_is_refused(world: World) -> None:
    engine = world.client.app.state.sessionmaker.kw["bind"]
    reads = make_sessionmaker(read_engine(engine))
    before = _username(world)
    with reads() as s, pytest.raises(WriteInReadSession):
        s.execute(text("UPDATE users SET username = 'renamed' WHERE username = 'admin'"))
    assert _username(world) == before == "admin"
    with reads() as s:  # queries run
        assert s.execute(text("SELECT count(*) FROM users")).scalar()


def _username(world: World) -> str:
    with world.client.app.state.sessionmaker() as s:
        return str(s.execute(text("SELECT username FROM users WHERE username = 'admin'")).scalar())


def _pg(db_url: str) -> str:
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: SQLite has no connection to lose and no transaction round trips")
    return db_url


def test_a_connection_back_from_a_read_session_has_transactions_again(db_url: str) -> None:
    engine = make_engine(_pg(db_url), pool_size=1)
    try:
        engine.pool._max_overflow = 0  # one pooled connection: the write session gets the read session's
        reads, writes = make_sessionmaker(read_engine(engine)), make_sessionmaker(engine)
        with reads() as s:
            first = id(s.connection().connection.dbapi_connection)
            assert s.connection().connection.dbapi_connection.autocommit is True
        with writes() as s:
            conn = s.connection().connection.dbapi_connection
            assert id(conn) == first and conn.autocommit is False
            s.execute(text("CREATE TEMP TABLE rolled_back (x int)"))
            s.execute(text("INSERT INTO rolled_back VALUES (1)"))
            s.rollback()
            with pytest.raises(Exception, match="rolled_back"):  # the table went with the transaction
                s.execute(text("SELECT x FROM rolled_back"))
    finally:
        engine.dispose()


def _backend_pid(engine: Any) -> int:
    with engine.connect() as c:
        return int(c.execute(text("SELECT pg_backend_pid()")).scalar())


def _terminate(pid: int) -> None:
    with psycopg.connect(PG_ADMIN_URL.replace("+psycopg", ""), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_an_idle_connection_the_server_dropped_is_replaced(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(_pg(db_url), pool_size=1)
    try:
        pid = _backend_pid(engine)
        _terminate(pid)
        monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)  # the connection counts as idle at once
        assert (
            _backend_pid(engine) != pid
        )  # the ping failed, the pool connected again: no error for the caller
    finally:
        engine.dispose()


def test_a_busy_connection_is_not_pinged(db_url: str) -> None:
    """The counterpart: a connection back from use moments ago is handed out without a ping (so a server-side
    drop shows), which is what saves a round trip per request under load."""
    engine = make_engine(_pg(db_url), pool_size=1)
    try:
        _terminate(_backend_pid(engine))
        with pytest.raises(Exception, match=r"(?i)terminat|closed|connection"):
            _backend_pid(engine)
    finally:
        engine.dispose()


def test_a_get_that_writes_is_marked_and_gets_a_transaction(world: World) -> None:
    """``GET /leads/periods/{period}`` re-matches leads against cases opened since (an UPDATE): marked
    ``deps.writes``, it gets a transaction; without the mark the read session would refuse the write (500)."""
    from apprights.service.scans.factory import make_finding, make_report

    w = world
    w.clock.now = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
    lead = w.ok(
        "province",
        "POST",
        "/api/v1/leads",
        json={
            "app_name": "示例商城",
            "package": "com.example.shop",
            "problem_type": 3,
            "description": "共享",
        },
    )
    assert lead["duplicate_case_id"] is None  # no case for type 3 yet
    report = make_report(
        "com.example.shop",
        label="示例商城",
        findings=[
            make_finding("t3.share_without_consent", 3, ("sdk", "umeng-analytics", "友盟统计"), key="b")
        ],
    )
    body = json.dumps(report, ensure_ascii=False).encode()
    w.ok("agency", "POST", "/api/v1/scans", content=body, headers={"Content-Type": "application/x-ndjson"})
    for f in w.ok("ministry", "GET", "/api/v1/findings?status=pending&limit=200")["items"]:
        w.ok("ministry", "POST", f"/api/v1/findings/{f['id']}/review", json={"decision": "confirm"})
    summary = w.ok("ministry", "GET", "/api/v1/leads/periods/2026-11")
    assert summary["duplicates_of_cases"] == 1
    again = w.ok("province", "GET", "/api/v1/leads")["items"]
    assert [x["duplicate_case_id"] is not None for x in again] == [True]  # the UPDATE was committed
    # the console's page runs the same summary
    login = w.client.post(
        "/login", data={"username": "admin", "password": ADMIN_PASSWORD}, follow_redirects=False
    )
    assert login.status_code == 303, login.text
    page = w.client.get("/leads?period=2026-11")
    w.client.cookies.clear()
    assert page.status_code == 200 and "2026-11" in page.text, page.text[:300]
