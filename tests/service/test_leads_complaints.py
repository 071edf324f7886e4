"""Provincial leads (monthly, closing on the 15th) and 12321 complaints (PI encrypted at rest)."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

from sqlalchemy import text

from tests.service.conftest import World


def test_monthly_leads_cutoff_files_and_dedup(world: World) -> None:
    w = world
    # an existing case for the app and problem type 1
    from tests.service.test_workflow import _report, confirm_all, ingest

    run = ingest(w, _report())["scan_run_ids"][0]
    confirm_all(w, run)
    w.clock.now = datetime(2026, 11, 10, 3, 0, tzinfo=UTC)
    lead = w.ok(
        "province",
        "POST",
        "/api/v1/leads",
        json={
            "app_name": "示例商城",
            "package": "com.example.shop",
            "store_name": "华为应用市场",
            "problem_type": 1,
            "description": "启动即读取IMEI",
        },
    )
    assert lead["period"] == "2026-11" and not lead["late"] and lead["duplicate_case_id"]
    evidence = b"\x89PNG fake screenshot bytes" * 100
    up = w.call(
        "province",
        "POST",
        f"/api/v1/leads/{lead['id']}/files",
        files={"file": ("../../截图.png", evidence, "image/png")},
    )
    assert up.status_code == 201, up.text
    meta = up.json()
    assert meta["sha256"] == hashlib.sha256(evidence).hexdigest() and meta["filename"] == "截图.png"
    stored = w.settings.data_dir / "files" / meta["sha256"][:2] / meta["sha256"]
    assert stored.read_bytes() == evidence
    # another province may not attach files to it
    assert (
        w.call(
            "province_other", "POST", f"/api/v1/leads/{lead['id']}/files", files={"file": ("a.txt", b"x")}
        ).status_code
        == 404
    )
    # 15 November 00:00 Beijing = 14 November 16:00 UTC: after that, late
    w.clock.now = datetime(2026, 11, 14, 16, 0, 1, tzinfo=UTC)
    late = w.ok(
        "province_other",
        "POST",
        "/api/v1/leads",
        json={"app_name": "别的应用", "problem_type": 5, "description": "频繁索权"},
    )
    assert late["late"] and late["duplicate_case_id"] is None
    summary = w.ok("ministry", "GET", "/api/v1/leads/periods/2026-11")
    assert summary["closed"]
    assert summary["submitted"] == ["35"]
    assert "11" in summary["late"] and "11" not in summary["missing"]
    assert len(summary["missing"]) == 29 and summary["duplicates_of_cases"] == 1
    assert summary["distinct_reports"] == 2
    # Beijing reports the same app and problem as Fujian: one more lead, no more distinct reports
    w.ok(
        "province_other",
        "POST",
        "/api/v1/leads",
        json={
            "app_name": "示例 商城",
            "package": "com.example.shop",
            "problem_type": 1,
            "description": "同一问题",
        },
    )
    summary = w.ok("ministry", "GET", "/api/v1/leads/periods/2026-11")
    assert summary["distinct_reports"] == 2 and summary["duplicates_of_cases"] == 2
    # a province lists only its own leads
    assert [x["province_code"] for x in w.ok("province", "GET", "/api/v1/leads")["items"]] == ["35"]


def test_complaint_pi_encrypted_and_role_limited(world: World) -> None:
    w = world
    phone = "13912345678"
    body = {
        "contact": {"name": "李四", "phone": phone, "email": "li@example.cn"},
        "app_name": "示例商城",
        "package": "com.example.shop",
        "store_name": "华为应用市场",
        "problem_type": 5,
        "description": "拒绝权限后闪退",
        "attachments": [{"filename": "shot.png", "content_base64": base64.b64encode(b"img").decode()}],
    }
    receipt = w.ok("public", "POST", "/api/v1/complaints", json=body)
    assert receipt["detection_task_id"] is None
    engine = w.client.app.state.engine
    with engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM complaints")).one()
    assert phone not in " ".join(str(v) for v in row) and "李四" not in " ".join(str(v) for v in row)
    ministry = w.ok("ministry", "GET", "/api/v1/complaints")["items"][0]
    assert ministry["contact"]["phone"] == phone
    province = w.ok("province", "GET", "/api/v1/complaints")["items"][0]
    assert province["contact"] is None and province["app_id"] == w.ids["app"]
    assert w.ok("province_other", "GET", "/api/v1/complaints")["total"] == 0
    # threshold K=3: the 4th complaint within 30 days queues a detection task, once
    for i in range(3):
        w.clock.now = datetime(2026, 9, 19 + i, tzinfo=UTC)
        receipt = w.ok("public", "POST", "/api/v1/complaints", json={**body, "attachments": []})
    assert receipt["detection_task_id"]
    again = w.ok("public", "POST", "/api/v1/complaints", json={**body, "attachments": []})
    assert again["detection_task_id"] == receipt["detection_task_id"]
    tasks = w.ok("agency", "GET", "/api/v1/detection-tasks")["items"]
    assert len(tasks) == 1 and tasks[0]["app_id"] == w.ids["app"]
    groups = w.ok("ministry", "GET", "/api/v1/complaints/by-app")["items"]
    assert groups[0]["group_key"] == "com.example.shop" and groups[0]["complaints"] == 5
    # complaints older than the window do not count
    w.clock.now = datetime(2027, 3, 1, tzinfo=UTC)
    other = w.ok(
        "public", "POST", "/api/v1/complaints", json={**body, "package": "", "app_name": "另一个 App"}
    )
    assert other["detection_task_id"] is None


def test_complaint_validation(world: World) -> None:
    w = world
    r = w.call(
        "public", "POST", "/api/v1/complaints", json={"contact": {}, "problem_type": 1, "description": "x"}
    )
    assert r.status_code == 422  # no app named
    r = w.call(
        "public",
        "POST",
        "/api/v1/complaints",
        json={
            "contact": {},
            "app_name": "a",
            "problem_type": 1,
            "description": "x",
            "attachments": [{"filename": "a", "content_base64": "!!notbase64"}],
        },
    )
    assert r.status_code == 422
