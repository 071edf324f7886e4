"""Service test fixtures: every DB test runs on SQLite and on PostgreSQL (skipped only when no server answers)."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

PG_ADMIN_URL = os.environ.get("APPRIGHTS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_available() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL.replace("+psycopg", ""), connect_timeout=3):
            return None
    except Exception as e:  # any failure to connect means: no server here
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(e).__name__}"


@pytest.fixture(autouse=True)
def _key_files_in_tmp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings.from_env keeps the instance key under $XDG_CONFIG_HOME: never the real home in tests."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def migrated_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """(kind, url) of a database migrated to head once per session."""
    from apprights.service.db import upgrade

    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("db") / "template.sqlite3"
        url = f"sqlite:///{path}"
        upgrade(url)
        yield "sqlite", url
        return
    why = _pg_available()
    if why:
        pytest.skip(why)
    import psycopg

    name = f"apprights_test_{uuid.uuid4().hex[:10]}"
    admin = PG_ADMIN_URL.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    try:
        upgrade(url)
        yield "postgresql", url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db_url(migrated_db: tuple[str, str], tmp_path: Path) -> str:
    """A clean migrated database for one test (SQLite: a copy of the template; PostgreSQL: truncated)."""
    kind, url = migrated_db
    if kind == "sqlite":
        src = Path(url[len("sqlite:///") :])
        dst = tmp_path / "test.sqlite3"
        shutil.copy(src, dst)
        return f"sqlite:///{dst}"
    from sqlalchemy import text

    from apprights.service.db import make_engine
    from apprights.service.models import Base

    engine = make_engine(url)
    tables = [t.name for t in Base.metadata.sorted_tables if t.name != "provinces"]
    with engine.begin() as conn:
        # the append-only tables refuse TRUNCATE by trigger; a test reset (superuser) skips triggers
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 9, 18, 2, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now


ADMIN_PASSWORD = "correct horse battery"
FUJIAN_USCC = "91350100M000100Y43"
BEIJING_USCC = "91110000802100433B"


@dataclass
class World:
    """A running service with one account (and token) per role."""

    client: Any
    clock: Clock
    settings: Any
    tokens: dict[str, str]
    ids: dict[str, int]

    def h(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role in self.tokens else {}

    def call(self, role: str, method: str, url: str, **kw: Any) -> Any:
        headers = {**self.h(role), **kw.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kw)

    def ok(self, role: str, method: str, url: str, **kw: Any) -> Any:
        r = self.call(role, method, url, **kw)
        assert r.status_code < 300, (r.status_code, r.text)
        return (
            r.json() if r.content and r.headers.get("content-type", "").startswith("application/json") else r
        )


def build_world(client: Any, clock: Clock, settings: Any) -> World:
    w = World(client, clock, settings, {}, {})
    r = client.post("/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    assert r.status_code == 200, r.text
    session_token = r.json()["token"]
    client.cookies.clear()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {session_token}"}).json()
    # a session lasts hours; tests move the clock by weeks, so the ministry works with an API token
    r = client.post(
        f"/api/v1/users/{me['id']}/tokens",
        json={"name": "tests"},
        headers={"Authorization": f"Bearer {session_token}"},
    )
    w.tokens["ministry"] = r.json()["token"]
    ent = w.ok(
        "ministry",
        "POST",
        "/api/v1/enterprises",
        json={
            "name": "福州示例科技有限公司",
            "uscc": FUJIAN_USCC,
            "province_code": "35",
            "contact_name": "张三",
            "contact_phone": "13800000000",
        },
    )
    w.ids["enterprise"] = ent["id"]
    other = w.ok(
        "ministry",
        "POST",
        "/api/v1/enterprises",
        json={"name": "北京另一家科技有限公司", "uscc": BEIJING_USCC, "province_code": "11"},
    )
    w.ids["other_enterprise"] = other["id"]
    w.ids["agency"] = w.ok(
        "ministry", "POST", "/api/v1/agencies", json={"code": "caict", "name": "中国信通院"}
    )["id"]
    w.ids["store"] = w.ok(
        "ministry", "POST", "/api/v1/stores", json={"code": "huawei", "name": "华为应用市场"}
    )["id"]
    w.ids["store2"] = w.ok(
        "ministry", "POST", "/api/v1/stores", json={"code": "xiaomi", "name": "小米应用商店"}
    )["id"]
    accounts = {
        "province": {"role": "province", "province_code": "35"},
        "province_other": {"role": "province", "province_code": "11"},
        "agency": {"role": "agency", "agency_id": w.ids["agency"]},
        "enterprise": {"role": "enterprise", "enterprise_id": w.ids["enterprise"]},
        "enterprise_other": {"role": "enterprise", "enterprise_id": w.ids["other_enterprise"]},
        "store": {"role": "store", "store_id": w.ids["store"]},
        "store_other": {"role": "store", "store_id": w.ids["store2"]},
    }
    for name, body in accounts.items():
        u = w.ok("ministry", "POST", "/api/v1/users", json={"username": name, **body})
        w.tokens[name] = w.ok("ministry", "POST", f"/api/v1/users/{u['id']}/tokens", json={"name": name})[
            "token"
        ]
    app = w.ok(
        "ministry",
        "POST",
        "/api/v1/apps",
        json={"package": "com.example.shop", "name": "示例商城", "enterprise_id": w.ids["enterprise"]},
    )
    w.ids["app"] = app["id"]
    return w


@dataclass(frozen=True)
class WorldSnapshot:
    """A database in which ``build_world`` has run once, and the tokens and ids it made (tokens are stored
    hashed in the database, so they hold in every copy)."""

    kind: str
    url: str
    tokens: dict[str, str]
    ids: dict[str, int]


def _pg_admin() -> str:
    return PG_ADMIN_URL.replace("+psycopg", "")


def _pg_name(url: str) -> str:
    return url.rsplit("/", 1)[1]


def _pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _pg_create_from(template: str) -> str:
    """A new PostgreSQL database copied from ``template`` (which must have no open connection); its url."""
    import psycopg

    name = f"apprights_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_pg_admin(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return _pg_url(name)


def _pg_drop(url: str) -> None:
    import psycopg

    with psycopg.connect(_pg_admin(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{_pg_name(url)}" WITH (FORCE)')


def _sqlite_file(url: str) -> Path:
    return Path(url[len("sqlite:///") :])


def _sqlite_copy(url: str, dst: Path) -> str:
    """A copy of a closed SQLite database (its WAL checkpointed into the main file first)."""
    import sqlite3

    src = _sqlite_file(url)
    conn = sqlite3.connect(src)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    shutil.copy(src, dst)
    return f"sqlite:///{dst}"


def world_settings(db_url: str, data_dir: Path, **overrides: Any) -> Any:
    from apprights.service.settings import Settings

    return Settings(
        db_url=db_url,
        data_dir=data_dir,
        admin_password=ADMIN_PASSWORD,
        secret_key="test-secret-key",
        **overrides,
    )


@contextmanager
def _snapshot(kind: str, migrated_url: str, base: Path) -> Iterator[WorldSnapshot]:
    """``build_world`` through the real API (the same requests a per-test build makes) on a new database."""
    from fastapi.testclient import TestClient

    from apprights.service.app import create_app
    from apprights.service.db import upgrade

    if kind == "sqlite":
        snap_url = _sqlite_copy(migrated_url, base / "world.sqlite3")
    else:  # a new database: the migrated one is reused (truncated) by ``db_url`` and may hold a test's rows
        import psycopg

        snap_url = _pg_url(f"apprights_test_{uuid.uuid4().hex[:10]}")
        with psycopg.connect(_pg_admin(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{_pg_name(snap_url)}"')
    try:
        if kind == "postgresql":
            upgrade(snap_url)
        settings = world_settings(snap_url, base / "data")
        clock = Clock()
        with TestClient(create_app(settings, clock=clock)) as client:
            w = build_world(client, clock, settings)
        # the lifespan has disposed of the engine: no connection is left open on the snapshot
        yield WorldSnapshot(kind, snap_url, dict(w.tokens), dict(w.ids))
    finally:
        if kind == "postgresql":
            _pg_drop(snap_url)


@pytest.fixture(scope="session")
def world_snapshot(
    migrated_db: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorldSnapshot]:
    """The world built once per session and database kind; each ``world`` test starts on a copy of it."""
    kind, url = migrated_db
    with _snapshot(kind, url, tmp_path_factory.mktemp("world-snapshot")) as snap:
        yield snap


@pytest.fixture(scope="session")
def sqlite_world_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WorldSnapshot]:
    """The world built once per session on SQLite only (the page and browser tests)."""
    from apprights.service.db import upgrade

    base = tmp_path_factory.mktemp("sqlite-world-snapshot")
    url = f"sqlite:///{base / 'template.sqlite3'}"
    upgrade(url)
    with _snapshot("sqlite", url, base) as snap:
        yield snap


@contextmanager
def world_from(snapshot: WorldSnapshot, tmp_path: Path, **overrides: Any) -> Iterator[World]:
    """A running service on a fresh copy of the snapshot's database (as if ``build_world`` had just run)."""
    from fastapi.testclient import TestClient

    from apprights.service.app import create_app

    if snapshot.kind == "sqlite":
        url = _sqlite_copy(snapshot.url, tmp_path / "world.sqlite3")
    else:
        url = _pg_create_from(_pg_name(snapshot.url))
    try:
        settings = world_settings(url, tmp_path / "data", **overrides)
        clock = Clock()
        with TestClient(create_app(settings, clock=clock)) as client:
            yield World(client, clock, settings, dict(snapshot.tokens), dict(snapshot.ids))
    finally:
        if snapshot.kind == "postgresql":
            _pg_drop(url)


@pytest.fixture
def world(world_snapshot: WorldSnapshot, tmp_path: Path) -> Iterator[World]:
    with world_from(world_snapshot, tmp_path, complaint_threshold=3) as w:
        yield w


@pytest.fixture
def sqlite_world(sqlite_world_snapshot: WorldSnapshot, tmp_path: Path) -> Iterator[World]:
    """The world on SQLite only, for tests that are not about the database (static pages, the browser)."""
    with world_from(sqlite_world_snapshot, tmp_path, complaint_threshold=3) as w:
        yield w
