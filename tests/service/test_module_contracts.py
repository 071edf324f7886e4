"""Contracts between the service's modules, checked per module:

- every ``<area>.views`` router is mounted in the app (no endpoint written and forgotten);
- every ORM class of ``<area>.models`` has its table, with every column, in a database migrated to head by
  Alembic (``apprights.service.migrations.env`` runs the migrations): models and migrations do not drift;
- every request/response model of ``<area>.schemas`` builds its JSON schema (the OpenAPI document needs it);
- the service errors (``apprights.service.errors``) are answered with their HTTP statuses, never a 500.
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest
from pydantic import BaseModel
from sqlalchemy import inspect as sa_inspect

from apprights.service.db import Base, make_engine, upgrade

AREAS = ["apps", "campaigns", "cases", "complaints", "leads", "notices", "orgs", "scans", "stores", "users"]
MODEL_AREAS = [*AREAS, "audit"]
# spelled out so that tests/test_layout.py sees which modules this file covers
VIEWS = [f"apprights.service.{a}.views" for a in AREAS]
MODELS = [f"apprights.service.{a}.models" for a in MODEL_AREAS]
SCHEMAS = [f"apprights.service.{a}.schemas" for a in AREAS]
COVERED = [
    "apprights.service.apps.views",
    "apprights.service.campaigns.views",
    "apprights.service.cases.views",
    "apprights.service.complaints.views",
    "apprights.service.leads.views",
    "apprights.service.notices.views",
    "apprights.service.orgs.views",
    "apprights.service.scans.views",
    "apprights.service.stores.views",
    "apprights.service.users.views",
    "apprights.service.apps.models",
    "apprights.service.campaigns.models",
    "apprights.service.cases.models",
    "apprights.service.complaints.models",
    "apprights.service.leads.models",
    "apprights.service.notices.models",
    "apprights.service.orgs.models",
    "apprights.service.scans.models",
    "apprights.service.stores.models",
    "apprights.service.users.models",
    "apprights.service.audit.models",
    "apprights.service.apps.schemas",
    "apprights.service.campaigns.schemas",
    "apprights.service.cases.schemas",
    "apprights.service.complaints.schemas",
    "apprights.service.leads.schemas",
    "apprights.service.notices.schemas",
    "apprights.service.orgs.schemas",
    "apprights.service.scans.schemas",
    "apprights.service.stores.schemas",
    "apprights.service.users.schemas",
    "apprights.service.migrations.env",
    "apprights.service.errors",
]


def test_the_covered_list_is_what_the_tests_run() -> None:
    assert sorted(COVERED) == sorted([*VIEWS, *MODELS, *SCHEMAS, "apprights.service.migrations.env",
                                      "apprights.service.errors"])  # fmt: skip


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('contracts') / 'db.sqlite3'}"
    upgrade(url)  # runs apprights.service.migrations.env through Alembic
    return url


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, migrated: str):  # type: ignore[no-untyped-def]
    from apprights.service.app import create_app
    from apprights.service.settings import Settings

    settings = Settings(
        db_url=migrated,
        data_dir=tmp_path_factory.mktemp("data"),
        admin_password="contracts admin pw",
        secret_key="contracts-secret",
    )
    return create_app(settings)


def _routes(router: object) -> set[tuple[str, str]]:
    out = set()
    for r in getattr(router, "routes", []):
        if not getattr(r, "include_in_schema", True):
            continue
        for m in getattr(r, "methods", None) or ():
            out.add((m.lower(), r.path))
    return out


@pytest.mark.parametrize("area", AREAS)
def test_views_router_is_mounted(area: str, app) -> None:  # type: ignore[no-untyped-def]
    views = importlib.import_module(f"apprights.service.{area}.views")
    mine = _routes(views.router)
    assert mine, f"{area}.views has no routes"
    paths = app.openapi()["paths"]
    for method, path in mine:
        assert any(p.endswith(path) and method in ops for p, ops in paths.items()), (area, method, path)


@pytest.mark.parametrize("area", MODEL_AREAS)
def test_models_match_the_migrated_schema(area: str, migrated: str) -> None:
    models = importlib.import_module(f"apprights.service.{area}.models")
    classes = [
        c
        for _, c in inspect.getmembers(models, inspect.isclass)
        if issubclass(c, Base) and c is not Base and c.__module__ == models.__name__
    ]
    assert classes, f"{area}.models defines no table"
    engine = make_engine(migrated)
    try:
        insp = sa_inspect(engine)
        tables = set(insp.get_table_names())
        assert "alembic_version" in tables
        for c in classes:
            table = c.__table__
            assert table.name in tables, f"{c.__name__}: table {table.name} not created by the migrations"
            have = {col["name"] for col in insp.get_columns(table.name)}
            want = {col.name for col in table.columns}
            assert want <= have, f"{table.name}: columns missing in the migrations: {sorted(want - have)}"
    finally:
        engine.dispose()


def test_migrations_reach_the_newest_revision(migrated: str) -> None:
    from sqlalchemy import text

    versions = (
        Path(importlib.import_module("apprights.service.migrations").__file__ or "").parent / "versions"
    )
    revs = sorted(p.stem.split("_")[0] for p in versions.glob("[0-9]*.py"))
    engine = make_engine(migrated)
    try:
        with engine.connect() as conn:
            (row,) = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    finally:
        engine.dispose()
    assert row[0].startswith(revs[-1]) or revs[-1] in row[0], (row, revs)


@pytest.mark.parametrize("area", AREAS)
def test_schemas_build_json_schemas(area: str) -> None:
    try:
        schemas = importlib.import_module(f"apprights.service.{area}.schemas")
    except ModuleNotFoundError:
        pytest.skip(f"no {area}.schemas module")
    models = [
        c
        for _, c in inspect.getmembers(schemas, inspect.isclass)
        if issubclass(c, BaseModel) and c.__module__ == schemas.__name__
    ]
    assert models, f"{area}.schemas defines no pydantic model"
    for m in models:
        js = m.model_json_schema()
        assert js.get("type") == "object" or "$defs" in js or "properties" in js, m


def test_openapi_document_builds(app) -> None:  # type: ignore[no-untyped-def]
    doc = app.openapi()
    assert doc["paths"] and any(p.startswith("/api/v1/") for p in doc["paths"])


@pytest.mark.parametrize(("name", "status"), [("NotFound", 404), ("Forbidden", 403), ("Conflict", 409)])
def test_service_errors_have_http_statuses(name: str, status: int, app) -> None:  # type: ignore[no-untyped-def]
    from fastapi import APIRouter
    from fastapi.testclient import TestClient

    from apprights.service import errors

    exc_type = getattr(errors, name)
    router = APIRouter()

    @router.get(f"/__contract_{name}")
    def boom() -> None:
        raise exc_type("contract test")

    app.include_router(router)
    with TestClient(app) as client:
        r = client.get(f"/__contract_{name}")
    assert r.status_code == status, (r.status_code, r.text)
