"""Store supervision (problem type 10): listing ingestion, checks after removal orders, repeat offences on
another store, per-store statistics — through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from apprights.service.files import blob_path
from apprights.service.scans.factory import make_finding, make_report
from tests.service.conftest import World

PKG = "com.example.shop"
ORDER_AT = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)  # the clock when the removal order is published


def _ingest_report(w: World, version: str = "1.0.0", code: int = 1, findings: Any = None, **kw: Any) -> int:
    if findings is None:
        findings = [make_finding("t1.collect_before_consent", 1, ("app", PKG, "示例商城"), key="imei")]
    report = make_report(
        PKG,
        version_name=version,
        version_code=code,
        label="示例商城",
        findings=findings,
        store=kw.get("store", "huawei"),
        rules_run=kw.get("rules_run"),
    )
    run = w.ok(kw.get("role", "agency"), "POST", "/api/v1/scans", content=json.dumps(report).encode())
    return int(run["scan_run_ids"][0])


def _confirmed_case(w: World) -> int:
    run = _ingest_report(w)
    fid = next(
        f["id"] for f in w.ok("ministry", "GET", "/api/v1/findings")["items"] if f["scan_run_id"] == run
    )
    return int(
        w.ok("ministry", "POST", f"/api/v1/findings/{fid}/review", json={"decision": "confirm"})["case_id"]
    )


def removal_order(w: World) -> tuple[int, int]:
    """A case from huawei taken through notice → overdue → 通报 (published) → removal order (published)."""
    case_id = _confirmed_case(w)
    w.ok("ministry", "POST", f"/api/v1/cases/{case_id}/notice", json={"issued_on": "2026-09-18"})
    w.clock.now = ORDER_AT
    w.ok("ministry", "POST", "/api/v1/cases/escalate-overdue")
    batch = w.ok("ministry", "POST", "/api/v1/notices/public", json={"case_ids": [case_id]})
    w.ok("ministry", "POST", f"/api/v1/notices/{batch['id']}/publish")
    order = w.ok("ministry", "POST", "/api/v1/notices/removal", json={"case_ids": [case_id]})
    w.ok("ministry", "POST", f"/api/v1/notices/{order['id']}/publish")
    return case_id, int(order["id"])


def listing(store: str, hours: float, *, listed: bool = True, **kw: Any) -> dict[str, Any]:
    at = ORDER_AT + timedelta(hours=hours)
    return {
        "format": "apprights-listing/1",
        "store": store,
        "captured_at": at.isoformat(),
        "listed": listed,
        "app_name": kw.pop("app_name", "示例商城"),
        **({"package": kw.pop("package", PKG)} if kw.pop("with_package", True) else {}),
        **kw,
    }


def finding(w: World, fid: int) -> dict[str, Any]:
    items = w.ok("ministry", "GET", "/api/v1/findings?limit=200")["items"]
    return next(f for f in items if f["id"] == fid)


def post_listings(w: World, body: Any, role: str = "agency", jsonl: bool = False) -> Any:
    if jsonl:
        raw = "\n".join(json.dumps(x, ensure_ascii=False) for x in body).encode()
    else:
        raw = json.dumps(body, ensure_ascii=False).encode()
    return w.call(role, "POST", "/api/v1/listings", content=raw)


def test_ingest_keeps_raw_payload_and_is_idempotent(world: World) -> None:
    w = world
    w.clock.now = ORDER_AT + timedelta(hours=10)
    items = [
        listing("huawei", 1),
        listing("no-such-store", 1),
        listing("小米应用商店", 2, version_name="1.0"),
    ]
    r = post_listings(w, items)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["received"] == 3 and out["stored"] == 2 and not out["duplicate"]
    assert [e["where"] for e in out["errors"]] == ["item 1"] and "unknown store" in out["errors"][0][
        "message"
    ]
    raw = json.dumps(items, ensure_ascii=False).encode()
    sha = hashlib.sha256(raw).hexdigest()
    assert out["sha256"] == sha and blob_path(w.settings.data_dir, sha).read_bytes() == raw
    again = post_listings(w, items).json()
    assert again["duplicate"] and again["upload_id"] == out["upload_id"] and again["stored"] == 0
    snaps = w.ok("ministry", "GET", "/api/v1/listings")["items"]
    assert len(snaps) == 2 and {s["store_id"] for s in snaps} == {w.ids["store"], w.ids["store2"]}
    assert all(s["app_id"] == w.ids["app"] for s in snaps)
    # JSON Lines work too; a store may submit only its own platform's listings
    r = post_listings(w, [listing("huawei", 3), listing("xiaomi", 3)], role="store", jsonl=True).json()
    assert r["stored"] == 1 and "another store" in r["errors"][0]["message"]
    assert w.ok("store", "GET", "/api/v1/listings")["total"] == 2  # huawei's only
    # a payload that does not parse is refused, but kept on disk
    bad = b'{"format": "apprights-listing/1", "store": "huawei"}'
    r = w.call("agency", "POST", "/api/v1/listings", content=bad)
    assert r.status_code == 422 and "missing required field" in r.text
    assert blob_path(w.settings.data_dir, hashlib.sha256(bad).hexdigest()).read_bytes() == bad
    # a capture in the future, a bad time, NUL characters
    odd = [
        listing("huawei", 12),
        listing("huawei", 1, captured_at="yesterday"),
        listing("huawei", 1, captured_at="0001-01-01T00:00:00+08:00"),
        listing("huawei", 1, app_name="示例\u0000商城", package="com.example\u0000.shop"),
    ]
    r = post_listings(w, odd).json()
    assert [e["where"] for e in r["errors"]] == ["item 0", "item 1", "item 2"] and r["stored"] == 1
    assert "in the future" in r["errors"][0]["message"] and "ISO 8601" in r["errors"][1]["message"]
    for junk in (b"", b"\xff\xfe", b"[1, 2]", b"{" * 5000):
        assert w.call("agency", "POST", "/api/v1/listings", content=junk).status_code == 422


def test_still_listed_after_removal_order_is_a_platform_finding(world: World) -> None:
    w = world
    case_id, order_id = removal_order(w)
    w.clock.now = ORDER_AT + timedelta(hours=40)
    # within the 24 h grace: no finding
    r = post_listings(w, [listing("huawei", 12)]).json()
    assert r["finding_ids"] == [] and r["case_ids"] == []
    # 30 h after the order and still listed: a T10 finding and a case against the store
    r = post_listings(w, [listing("huawei", 30, url="https://appgallery.example/app/1")]).json()
    assert len(r["finding_ids"]) == 1 and len(r["case_ids"]) == 1
    f = finding(w, r["finding_ids"][0])
    assert f["rule"] == "T10.removed_app_still_listed" and f["problem_type"] == 10
    assert f["subject_kind"] == "platform" and f["subject_key"] == "huawei" and f["status"] == "confirmed"
    assert "30" in f["title_zh"] and "still lists" in f["title_en"]
    case = w.ok("ministry", "GET", f"/api/v1/cases/{r['case_ids'][0]}")
    assert case["store_id"] == w.ids["store"] and case["problem_type"] == 10 and case["id"] != case_id
    assert case["state"] == "confirmed"
    # a later capture of the same situation joins nothing new
    r2 = post_listings(w, [listing("huawei", 35)]).json()
    assert r2["case_ids"] == [] and r2["finding_ids"] == []
    # a clone (same name and developer, other package) on xiaomi is caught too
    clone = listing("xiaomi", 31, package="com.example.shop2", developer={"name": "福州示例科技有限公司"})
    r3 = post_listings(w, [clone]).json()
    f3 = finding(w, r3["finding_ids"][0])
    assert f3["subject_key"] == "xiaomi" and json.loads(f3["evidence"])[0]["match"] == "name_developer"
    # same name, other developer: not a clone
    other = listing("xiaomi", 32, package="com.other.shop", developer={"name": "别的公司"})
    assert post_listings(w, [other]).json()["finding_ids"] == []
    # the store sees its removal order, open, with its age; it confirms
    rows = w.ok("store", "GET", "/api/v1/removal-orders")["items"]
    assert [(x["notice_id"], x["confirmed_at"]) for x in rows] == [(order_id, None)]
    assert rows[0]["age_hours"] == 40.0 and rows[0]["apps"] == [PKG]
    w.ok("store", "POST", f"/api/v1/notices/{order_id}/confirm-removal", json={"note": "已下架"})
    rows = w.ok("store", "GET", "/api/v1/removal-orders")["items"]
    assert rows[0]["confirmed_at"] is not None and rows[0]["age_hours"] == 40.0
    # xiaomi never listed the app itself (only a clone), so the order is not addressed to it
    assert w.ok("store_other", "GET", "/api/v1/removal-orders")["items"] == []
    page = w.ok("ministry", "GET", "/api/v1/removal-orders?limit=1")
    assert len(page["items"]) == 1 and page["total"] == 1 and page["limit"] == 1


def test_relisting_on_another_store_opens_a_repeat_case(world: World) -> None:
    w = world
    case_id, _ = removal_order(w)
    w.clock.now = ORDER_AT + timedelta(hours=48)
    r = post_listings(w, [listing("xiaomi", 30)]).json()
    assert len(r["repeat_case_ids"]) == 1
    rep = w.ok("ministry", "GET", f"/api/v1/cases/{r['repeat_case_ids'][0]}")
    assert rep["repeat"] and rep["repeat_of_case_id"] == case_id and rep["state"] == "escalated_public"
    assert rep["store_id"] == w.ids["store2"] and rep["problem_type"] == 1
    assert [a["to_state"] for a in rep["audit"] if a["action"] == "transition"][-1] == "escalated_public"
    # idempotent: the next capture joins nothing new
    assert post_listings(w, [listing("xiaomi", 31)]).json()["repeat_case_ids"] == []


def test_repeat_listing_joins_an_open_case_on_that_store(world: World) -> None:
    w = world
    case_id, _ = removal_order(w)
    w.clock.now = ORDER_AT + timedelta(hours=48)
    # the same problem scanned on xiaomi: a case there (itself a repeat of the huawei case)
    run = _ingest_report(w, "1.0.2", 3, store="xiaomi")
    fid = next(
        f["id"] for f in w.ok("ministry", "GET", "/api/v1/findings")["items"] if f["scan_run_id"] == run
    )
    xm = w.ok("ministry", "POST", f"/api/v1/findings/{fid}/review", json={"decision": "confirm"})["case_id"]
    r = post_listings(w, [listing("xiaomi", 30)]).json()
    assert r["repeat_case_ids"] == [xm]
    detail = w.ok("ministry", "GET", f"/api/v1/cases/{xm}")
    assert detail["audit"][-1]["action"] == "join" and f"case:{case_id}" in detail["audit"][-1]["evidence"]
    assert len(detail["finding_ids"]) == 2


def test_rectified_version_listed_on_another_store_is_a_repeat(world: World) -> None:
    w = world
    case_id = _confirmed_case(w)
    w.ok("ministry", "POST", f"/api/v1/cases/{case_id}/notice", json={"issued_on": "2026-09-18"})
    # the agency's re-test (an enterprise's would not count)
    fixed = _ingest_report(w, "1.0.1", 2, findings=[], rules_run=["t1.collect_before_consent"])
    w.ok(
        "enterprise",
        "POST",
        f"/api/v1/cases/{case_id}/response",
        json={"text": "已整改", "scan_run_id": fixed},
    )
    assert w.ok("ministry", "POST", f"/api/v1/cases/{case_id}/retest", json={"scan_run_id": fixed})[
        "state"
    ] == ("rectified")
    w.ok("ministry", "POST", f"/api/v1/cases/{case_id}/transitions", json={"to": "closed"})
    w.clock.now = ORDER_AT + timedelta(hours=3)
    # the fixed version on xiaomi is fine; the offending 1.0.0 on xiaomi is a repeat; on huawei it is not
    assert post_listings(w, [listing("xiaomi", 1, version_name="1.0.1")]).json()["repeat_case_ids"] == []
    assert post_listings(w, [listing("huawei", 1, version_name="1.0.0")]).json()["repeat_case_ids"] == []
    r = post_listings(w, [listing("xiaomi", 2, version_name="1.0.0")]).json()
    rep = w.ok("ministry", "GET", f"/api/v1/cases/{r['repeat_case_ids'][0]}")
    assert rep["repeat_of_case_id"] == case_id and rep["state"] == "escalated_public"


def test_store_statistics(world: World) -> None:
    w = world
    _case_id, order_id = removal_order(w)
    # huawei: gone 5 h after the order, confirmed at 10 h, listed again at 50 h (a re-listing)
    w.clock.now = ORDER_AT + timedelta(hours=6)
    hw_rules = len(post_listings(w, [listing("huawei", 5, listed=False)]).json()["rule_finding_ids"])
    w.clock.now = ORDER_AT + timedelta(hours=10)
    w.ok("store", "POST", f"/api/v1/notices/{order_id}/confirm-removal", json={})
    assert (
        w.call("store_other", "POST", f"/api/v1/notices/{order_id}/confirm-removal", json={}).status_code
        == 404
    )
    w.clock.now = ORDER_AT + timedelta(hours=51)
    hw_rules += len(post_listings(w, [listing("huawei", 50)]).json()["rule_finding_ids"])
    # xiaomi lists the app too (so the order concerns it) and never confirms
    post_listings(w, [listing("xiaomi", 1)])
    w.clock.now = ORDER_AT + timedelta(hours=72)
    stats = w.ok("ministry", "GET", "/api/v1/store-stats?since=2026-09-01&until=2026-10-31")
    by = {s["code"]: s for s in stats["stores"]}
    hw, xm = by["huawei"], by["xiaomi"]
    assert stats["total_problems"] == 1
    assert hw["problems"] == 1 and hw["notified_apps"] == 1 and hw["share_percent"] == 100.0
    assert xm["problems"] == 0 and xm["share_percent"] == 0.0
    assert (
        hw["findings"] >= 2 and hw["platform_findings"] == 1 + hw_rules
    )  # the scan's finding + the T10 finding at 50 h + the engine's listing-rule findings (pending)
    assert hw["open_orders"] == [] and hw["median_hours_to_confirmation"] == 10.0
    assert hw["median_hours_to_disappearance"] == 5.0
    assert [(x["package"], x["match"]) for x in hw["relistings"]] == [(PKG, "package")]
    assert [(o["notice_id"], o["age_hours"]) for o in xm["open_orders"]] == [(order_id, 72.0)]
    assert xm["median_hours_to_confirmation"] is None and xm["relistings"] == []
    # a window before everything is empty
    empty = w.ok("ministry", "GET", "/api/v1/store-stats?since=2026-01-01&until=2026-01-31")
    assert empty["total_problems"] == 0 and all(s["findings"] == 0 for s in empty["stores"])
    assert (
        w.call("ministry", "GET", "/api/v1/store-stats?since=2026-02-01&until=2026-01-01").status_code == 422
    )
    assert w.call("store", "GET", "/api/v1/store-stats").status_code == 403


def test_identity_matching_and_capture_times() -> None:
    import pytest

    from apprights.service.stores.supervision import Identity, parse_captured_at, same_app

    removed = Identity(1, PKG, "示例商城", "福州示例科技有限公司", frozenset({"ab" * 32}))
    assert same_app(Identity(1, "", "", "", frozenset()), removed) == "package"
    assert same_app(Identity(None, PKG, "", "", frozenset()), removed) == "package"
    assert same_app(Identity(7, "com.clone", "x", "y", frozenset({"ab" * 32})), removed) == "signer"
    assert (
        same_app(Identity(None, "", "示例商城", "福州示例科技有限公司", frozenset()), removed)
        == "name_developer"
    )
    assert (
        same_app(Identity(None, "", "示例商城", "", frozenset()), removed) is None
    )  # a name alone is not enough
    assert same_app(Identity(8, "com.other", "示例商城", "别家", frozenset({"cd" * 32})), removed) is None
    # a time without a zone is Beijing time; stored as naive UTC
    assert parse_captured_at("2026-10-01T10:00:00") == datetime(2026, 10, 1, 2, 0)
    assert parse_captured_at("2026-10-01T02:00:00Z") == datetime(2026, 10, 1, 2, 0)
    for bad in ("", "2026-13-01", "0001-01-01T00:00:00+08:00"):
        with pytest.raises(ValueError):
            parse_captured_at(bad)
