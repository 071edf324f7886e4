"""The service fixtures (a fresh database per test, on SQLite and on PostgreSQL) for the page tests, plus a
SQLite world seeded with one of everything a page can show (for the browser and every-page tests)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from apprights.service.scans.factory import make_finding, make_report
from tests.service.conftest import (  # noqa: F401
    ADMIN_PASSWORD,
    Clock,
    World,
    WorldSnapshot,
    build_world,
    db_url,
    migrated_db,
    sqlite_world_snapshot,
    world,
    world_from,
    world_snapshot,
)

CHROMIUM = "/usr/bin/chromium"
PKG = "com.example.shop"
ROLES = ("ministry", "province", "agency", "enterprise", "store")


@pytest.fixture
def web_world(sqlite_world_snapshot: WorldSnapshot, tmp_path: Path) -> Iterator[World]:  # noqa: F811
    with world_from(sqlite_world_snapshot, tmp_path) as w:
        yield w


def seed_findings(w: World, n: int = 3) -> list[int]:
    """An agency report for the Fujian app with ``n`` findings (problem types 1, 2, 3 …); their ids."""
    found = [
        make_finding(f"t{1 + i % 9}.rule_{i}", 1 + i % 9, ("app", PKG, "示例商城"), key=f"k{i}")
        for i in range(n)
    ]
    report = make_report(PKG, label="示例商城", findings=found, store="huawei")
    w.ok("agency", "POST", "/api/v1/scans", content=json.dumps(report).encode())
    items = w.ok("ministry", "GET", "/api/v1/findings?limit=1000")["items"]
    return sorted(f["id"] for f in items)


def seed_everything(w: World) -> dict[str, int]:
    """Findings, a confirmed case with a notice, a published 通报, a removal order, a lead and a complaint."""
    fids = seed_findings(w, 3)
    case_id = w.ok("ministry", "POST", f"/api/v1/findings/{fids[0]}/review", json={"decision": "confirm"})[
        "case_id"
    ]
    w.ok("ministry", "POST", f"/api/v1/cases/{case_id}/notice", json={"issued_on": "2026-09-18"})
    w.clock.now = w.clock.now.replace(month=10, day=1)
    w.ok("ministry", "POST", "/api/v1/cases/escalate-overdue")
    batch = w.ok(
        "ministry", "POST", "/api/v1/notices/public", json={"case_ids": [case_id], "title": "测试通报"}
    )
    w.ok("ministry", "POST", f"/api/v1/notices/{batch['id']}/publish")
    order = w.ok("ministry", "POST", "/api/v1/notices/removal", json={"case_ids": [case_id]})
    w.ok(
        "province",
        "POST",
        "/api/v1/leads",
        json={"period": "2026-09", "app_name": "示例商城", "problem_type": 1, "description": "线索"},
    )
    w.ok(
        "public",
        "POST",
        "/api/v1/complaints",
        json={
            "contact": {"name": "李四", "phone": "13900000000"},
            "package": PKG,
            "app_name": "示例商城",
            "problem_type": 1,
            "description": "开屏即读取设备号",
        },
    )
    return {"case": case_id, "notice": batch["id"], "removal": order["id"], "finding": fids[1]}
