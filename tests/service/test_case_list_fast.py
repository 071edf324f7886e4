"""``GET /api/v1/cases`` is served from Core rows and serialised once (orjson): its JSON must be byte for byte what
the ``Page[CaseOut]`` model gives, for every role, filter and page, with timestamps carrying microseconds.
SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlalchemy import select, text

from apprights.service.cases.models import Case
from apprights.service.cases.schemas import CaseOut
from apprights.service.cases.views import CASE_LIST_KEYS
from apprights.service.db import session_scope
from apprights.service.deps import Page
from apprights.service.scans.factory import make_finding, make_report
from tests.service.conftest import World


def _seed(w: World) -> None:
    reports = [
        make_report(
            "com.example.shop",  # the enterprise's own app (Fujian)
            label="示例商城",
            findings=[
                make_finding(
                    "t1.collect_before_consent", 1, ("app", "com.example.shop", "示例商城"), key="a"
                ),
                make_finding("t3.share_without_consent", 3, ("sdk", "umeng-analytics", "友盟统计"), key="b"),
            ],
        )
    ]
    reports += [make_report(f"com.other.app{i}", n_findings=3, seed=i) for i in range(6)]
    body = "\n".join(json.dumps(r, ensure_ascii=False) for r in reports).encode()
    w.ok("agency", "POST", "/api/v1/scans", content=body, headers={"Content-Type": "application/x-ndjson"})
    for f in w.ok("ministry", "GET", "/api/v1/findings?status=pending&limit=200")["items"]:
        w.ok("ministry", "POST", f"/api/v1/findings/{f['id']}/review", json={"decision": "confirm"})
    cases = w.ok("ministry", "GET", "/api/v1/cases?limit=200")["items"]
    own = next(c for c in cases if c["province_code"] == "35")
    w.ok("province", "POST", f"/api/v1/cases/{own['id']}/notice", json={"issued_on": "2026-09-18"})
    with session_scope(
        w.client.app.state.sessionmaker
    ) as s:  # timestamps with microseconds, as in production
        s.execute(
            text("UPDATE cases SET opened_at = :a, updated_at = :b WHERE id % 2 = 0"),
            {"a": "2026-09-18 02:00:00.123000", "b": "2026-09-19 03:04:05.000005"},
        )


def _expected(w: World, where: list, limit: int, offset: int) -> bytes:
    with session_scope(w.client.app.state.sessionmaker) as s:
        total = len(list(s.scalars(select(Case.id).where(*where))))
        rows = s.scalars(select(Case).where(*where).order_by(Case.id).limit(limit).offset(offset))
        page = Page[CaseOut](
            items=[CaseOut.model_validate(c) for c in rows], total=total, limit=limit, offset=offset
        )
        return page.model_dump_json().encode()


def test_case_list_json_is_unchanged(world: World) -> None:
    w = world
    _seed(w)
    all_cases = w.ok("ministry", "GET", "/api/v1/cases?limit=200")
    assert all_cases["total"] >= 10
    assert any(c["deadline"] for c in all_cases["items"]) and any(
        ".123" in c["opened_at"] for c in all_cases["items"]
    )
    own_app = next(c["app_id"] for c in all_cases["items"] if c["province_code"] == "35")
    checks = [
        ("ministry", "", [], 50, 0),
        ("ministry", "limit=3&offset=2", [], 3, 2),
        ("ministry", "limit=5&offset=1000", [], 5, 1000),
        ("ministry", "state=confirmed", [Case.state == "confirmed"], 50, 0),
        ("ministry", "state=notice_issued", [Case.state == "notice_issued"], 50, 0),
        ("ministry", f"app_id={own_app}", [Case.app_id == own_app], 50, 0),
        ("province", "", [Case.province_code == "35"], 50, 0),
        ("province", "limit=2&offset=500", [Case.province_code == "35"], 2, 500),  # past the end: own count
        ("ministry", "state=confirmed&limit=1&offset=1", [Case.state == "confirmed"], 1, 1),
        ("enterprise", "", [Case.app_id == own_app], 50, 0),
    ]
    for role, query, where, limit, offset in checks:
        r = w.call(role, "GET", f"/api/v1/cases?{query}")
        assert r.status_code == 200 and r.headers["content-type"] == "application/json", (role, query, r.text)
        assert r.content == _expected(w, where, limit, offset), (role, query)
    assert w.call("agency", "GET", "/api/v1/cases").status_code == 403
    assert w.call("", "GET", "/api/v1/cases").status_code == 401


def test_case_list_keeps_its_openapi_schema(world: World) -> None:
    spec = world.client.get("/openapi.json").json()
    ok = spec["paths"]["/api/v1/cases"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("Page_CaseOut_")
    props = spec["components"]["schemas"]["CaseOut"]["properties"]
    assert list(props) == [*CASE_LIST_KEYS, "deadline_at"]
