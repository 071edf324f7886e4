"""Workflow integrity through the API (and the web form), on SQLite and PostgreSQL: role-gated transitions,
下架 always orders the removal, no dead end after ``retest``, late responses, re-test evidence."""

from __future__ import annotations

from datetime import UTC, datetime

from apprights.service.notices.issue import REMOVAL_TITLE, has_removal_order
from apprights.service.scans.factory import make_finding
from tests.service.conftest import World
from tests.service.test_workflow import PKG, _report, confirm_all, ingest


def _case_in_public_notice(w: World) -> int:
    run = ingest(w, _report())["scan_run_ids"][0]
    cid = confirm_all(w, run)[0]
    w.ok("ministry", "POST", f"/api/v1/cases/{cid}/notice", json={"issued_on": "2026-09-18"})
    w.clock.now = datetime(2026, 9, 25, 1, 0, tzinfo=UTC)
    w.ok("ministry", "POST", "/api/v1/cases/escalate-overdue")
    assert w.ok("ministry", "GET", f"/api/v1/cases/{cid}")["state"] == "escalated_public"
    return cid


def _removal_orders_of(w: World, cid: int) -> list[dict]:
    return [
        n
        for n in w.ok("ministry", "GET", "/api/v1/notices?kind=removal&limit=100")["items"]
        if cid in n["case_ids"]
    ]


def test_a_province_cannot_order_removal_via_api_or_web_form(world: World) -> None:
    w = world
    cid = _case_in_public_notice(w)
    detail = w.ok("province", "GET", f"/api/v1/cases/{cid}")
    assert "escalated_removal" not in detail["allowed"] and "retest" in detail["allowed"]
    assert "escalated_removal" in w.ok("ministry", "GET", f"/api/v1/cases/{cid}")["allowed"]
    before = len(detail["audit"])
    r = w.call("province", "POST", f"/api/v1/cases/{cid}/transitions", json={"to": "escalated_removal"})
    assert r.status_code == 409 and "role province may not" in r.text
    # the web form refuses it too, and nothing changes
    c = w.client
    c.cookies.clear()
    c.cookies.set("apprights_session", w.tokens["province"])
    page = c.post(f"/cases/{cid}/transition", data={"to": "escalated_removal", "reason": "x"})
    c.cookies.clear()
    assert page.status_code == 409 and "may not make this transition" in page.text
    after = w.ok("ministry", "GET", f"/api/v1/cases/{cid}")
    assert after["state"] == "escalated_public" and len(after["audit"]) == before
    assert _removal_orders_of(w, cid) == []


def test_removal_by_transition_always_orders_the_stores(world: World) -> None:
    w = world
    cid = _case_in_public_notice(w)
    case = w.ok("ministry", "POST", f"/api/v1/cases/{cid}/transitions", json={"to": "escalated_removal"})
    assert case["state"] == "escalated_removal"
    (order,) = _removal_orders_of(w, cid)
    assert order["notice_no"].startswith("XJ-") and order["id"] in case["notice_ids"]
    assert order["title"] == REMOVAL_TITLE
    with w.client.app.state.sessionmaker() as s:
        assert has_removal_order(s, cid)
    # the store the case came from sees the order and can confirm it
    rows = w.ok("store", "GET", "/api/v1/removal-orders")["items"]
    assert [r["notice_id"] for r in rows] == [order["id"]]
    w.ok("store", "POST", f"/api/v1/notices/{order['id']}/confirm-removal", json={"note": "已下架"})
    # an explicit removal order for a case already there does not double the automatic one
    assert len(_removal_orders_of(w, cid)) == 1


def test_overdue_job_removal_orders_the_stores(world: World) -> None:
    w = world
    cid = _case_in_public_notice(w)
    batch = w.ok("ministry", "POST", "/api/v1/notices/public", json={"case_ids": [cid]})
    w.ok("ministry", "POST", f"/api/v1/notices/{batch['id']}/publish")
    w.clock.now = datetime(2026, 10, 30, 1, 0, tzinfo=UTC)
    moved = w.ok("ministry", "POST", "/api/v1/cases/escalate-overdue")["moved"]
    assert moved == [[cid, "escalated_public", "escalated_removal"]]
    assert len(_removal_orders_of(w, cid)) == 1


def test_a_province_cannot_escalate_to_penalty_or_blacklist(world: World) -> None:
    w = world
    cid = _case_in_public_notice(w)
    w.ok("ministry", "POST", f"/api/v1/cases/{cid}/transitions", json={"to": "escalated_removal"})
    for to in ("escalated_penalty", "escalated_blacklist"):
        r = w.call("province", "POST", f"/api/v1/cases/{cid}/transitions", json={"to": to})
        assert r.status_code == 409, to
    assert w.call("province", "POST", f"/api/v1/cases/{cid}/escalate", json={}).status_code == 403
    w.ok("ministry", "POST", f"/api/v1/cases/{cid}/transitions", json={"to": "escalated_penalty"})


def _case_moved_to_retest(w: World) -> int:
    run = ingest(w, _report())["scan_run_ids"][0]
    cid = confirm_all(w, run)[0]
    w.ok("ministry", "POST", f"/api/v1/cases/{cid}/notice", json={"issued_on": "2026-09-18"})
    w.ok("enterprise", "POST", f"/api/v1/cases/{cid}/response", json={"text": "已整改"})
    case = w.ok("province", "POST", f"/api/v1/cases/{cid}/transitions", json={"to": "retest"})
    assert case["state"] == "retest"
    assert set(case["allowed"]) >= {"retest", "rectified", "not_rectified", "withdrawn", "closed"}
    return cid


def test_a_case_moved_to_retest_can_be_retested(world: World) -> None:
    w = world
    cid = _case_moved_to_retest(w)
    # the agency's re-test report says which rules ran (a clean report proves a fix only where the rule ran)
    fixed = _report(
        "1.0.1",
        2,
        findings=[make_finding("t5.other", 5, ("app", PKG, "示例商城"), key="z")],
        rules_run=["t1.collect_before_consent", "t3.share_without_consent"],
    )
    run = ingest(w, fixed)["scan_run_ids"][0]
    case = w.ok("province", "POST", f"/api/v1/cases/{cid}/retest", json={"scan_run_id": run})
    assert case["state"] == "rectified"
    moves = [(a["from_state"], a["to_state"]) for a in case["audit"] if a["action"] == "transition"]
    assert moves[-2:] == [("retest", "retest"), ("retest", "rectified")]


def test_a_case_moved_to_retest_can_be_decided_with_a_reason(world: World) -> None:
    w = world
    cid = _case_moved_to_retest(w)
    r = w.call("province", "POST", f"/api/v1/cases/{cid}/transitions", json={"to": "rectified"})
    assert r.status_code == 409 and "reason is required" in r.text
    case = w.ok(
        "province",
        "POST",
        f"/api/v1/cases/{cid}/transitions",
        json={"to": "not_rectified", "reason": "检测机构线下复测仍存在问题", "evidence": ["report:CAICT-1"]},
    )
    assert case["state"] == "not_rectified"
    case = w.ok("province", "POST", f"/api/v1/cases/{cid}/transitions", json={"to": "escalated_public"})
    assert case["state"] == "escalated_public"


def test_late_response_is_marked_and_the_overdue_job_still_escalates(world: World) -> None:
    w = world
    run = ingest(w, _report())["scan_run_ids"][0]
    cid = confirm_all(w, run)[0]
    w.ok("ministry", "POST", f"/api/v1/cases/{cid}/notice", json={"issued_on": "2026-09-18"})  # due 09-24
    on_time = "第一次反馈：" + "已修改隐私政策。" * 200  # longer than the audit record's 500 characters
    w.ok("enterprise", "POST", f"/api/v1/cases/{cid}/response", json={"text": on_time})
    other = confirm_all(w, ingest(w, _report("1.0.2", 3))["scan_run_ids"][0])
    cid2 = next(c for c in other if c != cid)
    w.ok("ministry", "POST", f"/api/v1/cases/{cid2}/notice", json={"issued_on": "2026-09-18"})
    w.clock.now = datetime(2026, 9, 25, 2, 0, tzinfo=UTC)  # 2026-09-25 in Beijing: one day late
    late = w.ok("enterprise", "POST", f"/api/v1/cases/{cid2}/response", json={"text": "逾期反馈"})
    assert late["state"] == "notice_issued"
    assert [(r["text"], r["late"]) for r in late["responses"]] == [("逾期反馈", True)]
    moved = w.ok("ministry", "POST", "/api/v1/cases/escalate-overdue")["moved"]
    assert moved == [[cid2, "notice_issued", "escalated_public"]]
    # regulators see every response in full, the province of the region included
    for role in ("ministry", "province"):
        full = w.ok(role, "GET", f"/api/v1/cases/{cid}")["responses"]
        assert [(r["text"], r["late"]) for r in full] == [(on_time, False)]
    actions = [a["action"] for a in w.ok("ministry", "GET", f"/api/v1/cases/{cid2}")["audit"]]
    assert "late_response" in actions


def test_enterprise_reports_are_kept_but_never_test_results(world: World) -> None:
    w = world
    run = ingest(w, _report())["scan_run_ids"][0]
    cid = confirm_all(w, run)[0]
    w.ok("ministry", "POST", f"/api/v1/cases/{cid}/notice", json={"issued_on": "2026-09-18"})
    own = _report("2.0.0", 20, findings=[make_finding("t5.other", 5, ("app", PKG, "示例商城"), key="q")])
    own_run = ingest(w, own, role="enterprise")["scan_run_ids"][0]
    w.ok(
        "enterprise",
        "POST",
        f"/api/v1/cases/{cid}/response",
        json={"text": "自查通过", "scan_run_id": own_run},
    )
    # kept and shown with the response
    detail = w.ok("ministry", "GET", f"/api/v1/cases/{cid}")
    assert detail["responses"][0]["scan_run_id"] == own_run
    # never in the review queue, never against a store
    pending = w.ok("ministry", "GET", "/api/v1/findings?status=pending&limit=200")["items"]
    assert own_run not in {f["scan_run_id"] for f in pending}
    runs = {r["id"]: r for r in w.ok("ministry", "GET", "/api/v1/scans?limit=100")["items"]}
    assert runs[own_run]["store_id"] is None
    # never decides a re-test, explicitly or as "the latest scan"
    r = w.call("ministry", "POST", f"/api/v1/cases/{cid}/retest", json={"scan_run_id": own_run})
    assert r.status_code == 409 and "self-check" in r.text
    r = w.call("ministry", "POST", f"/api/v1/cases/{cid}/retest", json={})
    assert r.status_code == 409 and "test agency" in r.text
    assert w.ok("ministry", "GET", f"/api/v1/cases/{cid}")["state"] == "response_submitted"
