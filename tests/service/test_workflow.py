"""The whole workflow through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from apprights.service.scans.factory import make_finding, make_report
from tests.service.conftest import World

PKG = "com.example.shop"
SDK = ("sdk", "umeng-analytics", "友盟统计")


def _report(
    version: str = "1.0.0",
    code: int = 1,
    findings: list | None = None,
    store: str = "huawei",
    rules_run: list[str] | None = None,
) -> dict:
    if findings is None:
        findings = [
            make_finding("t1.collect_before_consent", 1, ("app", PKG, "示例商城"), key="imei"),
            make_finding("t3.share_without_consent", 3, SDK, key="imei"),
        ]
    return make_report(
        PKG,
        version_name=version,
        version_code=code,
        label="示例商城",
        findings=findings,
        store=store,
        rules_run=rules_run,
    )


def ingest(w: World, report: dict, role: str = "agency") -> dict:
    return w.ok(role, "POST", "/api/v1/scans", content=json.dumps(report, ensure_ascii=False).encode())


def confirm_all(w: World, scan_run_id: int) -> list[int]:
    items = w.ok("ministry", "GET", "/api/v1/findings?status=pending&limit=200")["items"]
    cases = []
    for f in items:
        if f["scan_run_id"] == scan_run_id:
            r = w.ok("ministry", "POST", f"/api/v1/findings/{f['id']}/review", json={"decision": "confirm"})
            cases.append(r["case_id"])
    return cases


def test_ingest_is_idempotent_and_stores_rows(world: World) -> None:
    w = world
    first = ingest(w, _report())
    assert first["stored"] == 1 and first["findings"] == 2
    again = ingest(w, _report())
    assert again["stored"] == 0 and again["duplicates"] == 1
    page = w.ok("ministry", "GET", "/api/v1/findings?limit=1")
    assert page["total"] == 2 and len(page["items"]) == 1
    f = page["items"][0]
    assert f["fingerprint"] and f["subject_kind"] in ("app", "sdk") and f["app_version_id"]
    sdks = w.ok("ministry", "GET", "/api/v1/sdks")["items"]
    assert {s["key"] for s in sdks} >= {"umeng-analytics"}
    assert all(s["vendor_id"] for s in sdks)


def test_full_case_lifecycle(world: World) -> None:
    w = world
    run = ingest(w, _report())["scan_run_ids"][0]
    case_ids = confirm_all(w, run)
    assert len(set(case_ids)) == 2  # one case per (app, problem type)
    case_id = case_ids[0]
    case = w.ok("ministry", "GET", f"/api/v1/cases/{case_id}")
    assert case["state"] == "confirmed" and case["province_code"] == "35"

    # issued Friday 2026-09-18 → due Thursday 2026-09-24 (Sunday 09-20 is a make-up working day)
    notice = w.ok("province", "POST", f"/api/v1/cases/{case_id}/notice", json={"issued_on": "2026-09-18"})
    assert notice["deadline"] == "2026-09-24" and notice["issuer"] == "福建省通信管理局"
    # per-notice N: 3 working days from Wednesday 2026-09-30 skips the National Day holiday
    n2 = w.ok(
        "ministry",
        "POST",
        f"/api/v1/cases/{case_ids[1]}/notice",
        json={"issued_on": "2026-09-30", "working_days": 5},
    )
    assert n2["deadline"] == "2026-10-13"

    # the enterprise responds, uploads the rectified version's report
    fixed = _report("1.0.1", 2, findings=[make_finding("t5.other", 5, ("app", PKG, "示例商城"), key="x")])
    own_run = ingest(w, fixed, role="enterprise")["scan_run_ids"][0]
    w.ok(
        "enterprise",
        "POST",
        f"/api/v1/cases/{case_id}/response",
        json={"text": "已整改", "scan_run_id": own_run},
    )
    # the enterprise's own report is kept and shown, but only a test agency's report decides the re-test
    r = w.call("province", "POST", f"/api/v1/cases/{case_id}/retest", json={"scan_run_id": own_run})
    assert r.status_code == 409 and "self-check" in r.text
    agency = _report(
        "1.0.1",
        2,
        findings=[make_finding("t5.other", 5, ("app", PKG, "示例商城"), key="y")],
        rules_run=["t1.collect_before_consent", "t3.share_without_consent"],
    )
    fixed_run = ingest(w, agency)["scan_run_ids"][0]
    case = w.ok("province", "POST", f"/api/v1/cases/{case_id}/retest", json={"scan_run_id": fixed_run})
    assert case["state"] == "rectified"
    case = w.ok("ministry", "POST", f"/api/v1/cases/{case_id}/transitions", json={"to": "closed"})
    assert case["state"] == "closed" and case["closed_as"] == "rectified"
    states = [(a["from_state"], a["to_state"]) for a in case["audit"] if a["action"] == "transition"]
    assert states == [
        ("detected", "confirmed"),
        ("confirmed", "notice_issued"),
        ("notice_issued", "response_submitted"),
        ("response_submitted", "retest"),
        ("retest", "rectified"),
        ("rectified", "closed"),
    ]
    assert all(a["actor"] for a in case["audit"])

    # the same problem comes back in a later version: a repeat, escalated directly to 通报
    back = _report(
        "1.1.0",
        3,
        findings=[make_finding("t1.collect_before_consent", 1, ("app", PKG, "示例商城"), key="imei")],
    )
    back_run = ingest(w, back)["scan_run_ids"][0]
    (repeat_id,) = confirm_all(w, back_run)
    assert repeat_id != case_id
    rep = w.ok("ministry", "GET", f"/api/v1/cases/{repeat_id}")
    assert rep["repeat"] and rep["repeat_of_case_id"] == case_id and rep["state"] == "escalated_public"

    # the app's history shows every version and case
    app = w.ok("enterprise", "GET", f"/api/v1/apps/{w.ids['app']}")
    assert [v["version_name"] for v in app["versions"]] == ["1.0.0", "1.0.1", "1.1.0"]
    assert {c["id"] for c in app["cases"]} == {case_id, case_ids[1], repeat_id}


def test_same_problem_on_another_store_is_a_repeat(world: World) -> None:
    w = world
    run = ingest(w, _report(store="huawei"))["scan_run_ids"][0]
    first = confirm_all(w, run)
    other = _report("1.0.0", 1, store="xiaomi")
    other["timing"] = {"total_s": 2.0}  # a different report of the same version from another store
    run2 = ingest(w, other)["scan_run_ids"][0]
    second = confirm_all(w, run2)
    assert set(first).isdisjoint(second)
    for cid in second:
        c = w.ok("ministry", "GET", f"/api/v1/cases/{cid}")
        assert c["repeat"] and c["state"] == "escalated_public"


def test_overdue_escalation_is_idempotent_and_publishes(world: World) -> None:
    w = world
    run = ingest(w, _report())["scan_run_ids"][0]
    cid = confirm_all(w, run)[0]
    w.ok("ministry", "POST", f"/api/v1/cases/{cid}/notice", json={"issued_on": "2026-09-18"})
    # not yet overdue on the deadline day itself
    w.clock.now = datetime(2026, 9, 24, 10, 0, tzinfo=UTC)
    assert w.ok("ministry", "POST", "/api/v1/cases/escalate-overdue")["moved"] == []
    w.clock.now = datetime(2026, 9, 25, 1, 0, tzinfo=UTC)
    moved = w.ok("ministry", "POST", "/api/v1/cases/escalate-overdue")["moved"]
    assert moved == [[cid, "notice_issued", "escalated_public"]]
    assert w.ok("ministry", "POST", "/api/v1/cases/escalate-overdue")["moved"] == []  # idempotent

    batch = w.ok(
        "ministry", "POST", "/api/v1/notices/public", json={"case_ids": [cid], "batch_no": "2026年第1批"}
    )
    assert batch["notice_no"] == "2026年第1批" and not batch["published"]
    # unpublished: the public cannot see it
    assert w.call("public", "GET", f"/api/v1/notices/{batch['id']}").status_code == 404
    w.ok("ministry", "POST", f"/api/v1/notices/{batch['id']}/publish")
    listed = w.ok("public", "GET", "/api/v1/notices")["items"]
    assert [n["id"] for n in listed] == [batch["id"]]
    pdf = w.call("public", "GET", f"/api/v1/notices/{batch['id']}/document?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF"), pdf.text[:300]
    xlsx = w.call("public", "GET", f"/api/v1/notices/{batch['id']}/document?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    html = w.call("public", "GET", f"/api/v1/notices/{batch['id']}/document?format=html").text
    assert "示例商城" in html and "福州示例科技有限公司" in html and "华为应用市场" in html

    # the 通报 deadline passes → removal; the store confirms
    case = w.ok("ministry", "GET", f"/api/v1/cases/{cid}")
    assert case["deadline"] is not None
    w.clock.now = datetime(2026, 10, 30, 1, 0, tzinfo=UTC)
    moved = w.ok("ministry", "POST", "/api/v1/cases/escalate-overdue")["moved"]
    assert moved == [[cid, "escalated_public", "escalated_removal"]]
    order = w.ok("ministry", "POST", "/api/v1/notices/removal", json={"case_ids": [cid]})
    assert (
        w.call("store_other", "POST", f"/api/v1/notices/{order['id']}/confirm-removal", json={}).status_code
        == 404
    )
    conf = w.ok("store", "POST", f"/api/v1/notices/{order['id']}/confirm-removal", json={"note": "已下架"})
    assert conf["store_id"] == w.ids["store"]
    case = w.ok("ministry", "POST", f"/api/v1/cases/{cid}/escalate", json={"reason": "拒不整改"})
    assert case["state"] == "escalated_penalty"


def test_rectification_notice_document(world: World) -> None:
    w = world
    run = ingest(w, _report())["scan_run_ids"][0]
    cid = confirm_all(w, run)[0]
    notice = w.ok("ministry", "POST", f"/api/v1/cases/{cid}/notice", json={"issued_on": "2021-01-22"})
    assert notice["deadline"] == "2021-01-29"
    html = w.call("enterprise", "GET", f"/api/v1/notices/{notice['id']}/document?format=html").text
    assert "2021" in html and "示例商城" in html and "91350100M000100Y43" in html
    # another enterprise, a store and the public do not see it
    for role in ("enterprise_other", "store", "public"):
        assert w.call(role, "GET", f"/api/v1/notices/{notice['id']}").status_code == 404


def test_uncovered_year_is_an_error_until_loaded(world: World) -> None:
    w = world
    run = ingest(w, _report())["scan_run_ids"][0]
    cid = confirm_all(w, run)[0]
    r = w.call("ministry", "POST", f"/api/v1/cases/{cid}/notice", json={"issued_on": "2026-12-31"})
    assert r.status_code == 422 and "2027" in r.text
    assert w.ok("ministry", "GET", f"/api/v1/cases/{cid}")["state"] == "confirmed"  # nothing half-done
    # the operator loads the State Council's 2027 schedule (illustrative: New Year 1 Jan only)
    w.ok("ministry", "POST", "/api/v1/admin/calendar/2027", json={"holidays": ["2027-01-01"], "workdays": []})
    notice = w.ok("ministry", "POST", f"/api/v1/cases/{cid}/notice", json={"issued_on": "2026-12-31"})
    # 2027-01-01 holiday (Fri); then 4, 5, 6, 7, 8 January
    assert notice["deadline"] == "2027-01-08"
    bad = w.call("ministry", "POST", "/api/v1/admin/calendar/2028", json={"holidays": ["2027-05-01"]})
    assert bad.status_code == 422


def test_forbidden_transition_via_api_is_409_and_audited_nothing(world: World) -> None:
    w = world
    run = ingest(w, _report())["scan_run_ids"][0]
    cid = confirm_all(w, run)[0]
    before = len(w.ok("ministry", "GET", f"/api/v1/cases/{cid}")["audit"])
    r = w.call("ministry", "POST", f"/api/v1/cases/{cid}/transitions", json={"to": "rectified"})
    assert r.status_code == 409
    r = w.call("ministry", "POST", f"/api/v1/cases/{cid}/transitions", json={"to": "escalated_public"})
    assert r.status_code == 409 and "repeat" in r.text
    assert len(w.ok("ministry", "GET", f"/api/v1/cases/{cid}")["audit"]) == before


def test_dismiss_needs_reason_and_review_once(world: World) -> None:
    w = world
    ingest(w, _report())
    f = w.ok("ministry", "GET", "/api/v1/findings?status=pending")["items"][0]
    assert (
        w.call(
            "ministry", "POST", f"/api/v1/findings/{f['id']}/review", json={"decision": "dismiss"}
        ).status_code
        == 422
    )
    r = w.ok(
        "ministry",
        "POST",
        f"/api/v1/findings/{f['id']}/review",
        json={"decision": "dismiss", "reason": "误报"},
    )
    assert r["case_id"] is None and r["finding"]["status"] == "dismissed"
    again = w.call("ministry", "POST", f"/api/v1/findings/{f['id']}/review", json={"decision": "confirm"})
    assert again.status_code == 409


def test_audit_log_is_append_only(world: World) -> None:
    from apprights.service.audit.models import AuditRecord
    from apprights.service.audit.service import AuditImmutableError

    w = world
    run = ingest(w, _report())["scan_run_ids"][0]
    confirm_all(w, run)
    factory = w.client.app.state.sessionmaker
    with factory() as s:
        rec = s.query(AuditRecord).first()
        assert rec is not None
        rec.reason = "tampered"
        with pytest.raises(AuditImmutableError):
            s.flush()
        s.rollback()
        rec = s.query(AuditRecord).first()
        s.delete(rec)
        with pytest.raises(AuditImmutableError):
            s.flush()
        s.rollback()
    # and the database itself refuses (trigger), even bypassing the ORM
    engine = w.client.app.state.engine
    for stmt in ("UPDATE audit_records SET reason = 'x'", "DELETE FROM audit_records"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
            conn.execute(text(stmt))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_records WHERE reason = 'x'")).scalar() == 0
