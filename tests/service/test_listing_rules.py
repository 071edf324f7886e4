"""The engine's listing rules (problem types 9/10) on uploaded listings, and the store-scoped views — through the
API, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from apprights.service.stores.listing_rules import SKIPPED_RULES, listing_rules
from tests.service.conftest import World

PKG = "com.example.shop"
AT = datetime(2026, 9, 17, 8, 0, tzinfo=UTC)


def complete(store: str = "huawei", hours: float = 0, **kw: Any) -> dict[str, Any]:
    """A listing that shows everything the notice asks for."""
    return {
        "format": "apprights-listing/1",
        "store": store,
        "captured_at": (AT + timedelta(hours=hours)).isoformat(),
        "listed": True,
        "app_name": "示例商城",
        "package": PKG,
        "version_name": "1.0.0",
        "updated_at": "2026-09-01",
        "developer": {"name": "福州示例科技有限公司", "uscc": "91350100M000100Y43", "country": "CN"},
        "icp_filing": "闽ICP备12345678号-1A",
        "contact": {"phone": "0591-12345678", "email": "a@example.com", "address": "福州"},
        "description": "购物",
        "permissions": [{"name": "android.permission.CAMERA", "purpose": "扫码"}],
        "privacy_policy_url": "https://example.com/privacy",
        "privacy_policy_depth": 1,
        "pi_disclosure": "收集设备信息用于安全风控",
        "sdk_disclosure": True,
        **kw,
    }


def post(w: World, body: Any, role: str = "agency") -> dict[str, Any]:
    r = w.call(role, "POST", "/api/v1/listings", content=json.dumps(body, ensure_ascii=False).encode())
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def findings(w: World, role: str = "ministry", query: str = "") -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = w.ok(role, "GET", f"/api/v1/platform-findings?limit=200{query}")["items"]
    return items


def test_rule_selection_excludes_the_bespoke_removal_check() -> None:
    ids = {r.id for r in listing_rules()}
    assert "T9.listing_info_missing" in ids and "T10.filing_number_missing" in ids
    assert not ids & SKIPPED_RULES
    assert all(set(r.requires) <= {"listing", "manifest"} for r in listing_rules())


def test_listing_rules_store_platform_findings_idempotently(world: World) -> None:
    w = world
    clean = post(w, [complete()])
    assert clean["stored"] == 1 and clean["rule_finding_ids"] == []
    # huawei hides the developer and the filing number: findings against huawei, pending review
    bad = complete(hours=1, developer=None, icp_filing=None)
    out = post(w, [bad])
    assert out["rule_finding_ids"], out
    rows = {f["id"]: f for f in findings(w)}
    got = [rows[i] for i in out["rule_finding_ids"]]
    rules = {f["rule"] for f in got}
    assert "T9.listing_info_missing" in rules and "T10.filing_number_missing" in rules
    assert all(f["subject_kind"] == "platform" and f["subject_key"] == "huawei" for f in got)
    assert all(f["status"] == "pending" and f["app_id"] == w.ids["app"] for f in got)
    assert all(f["title_zh"] and f["title_en"] for f in got)
    # the same situation captured again: nothing new (fingerprints); another store: its own findings
    again = post(w, [{**bad, "captured_at": (AT + timedelta(hours=2)).isoformat()}])
    assert again["stored"] == 1 and again["rule_finding_ids"] == []
    other = post(w, [{**bad, "store": "xiaomi"}])
    assert len(other["rule_finding_ids"]) == len(out["rule_finding_ids"])
    assert {f["subject_key"] for f in findings(w, query=f"&store_id={w.ids['store2']}")} == {"xiaomi"}
    # the identical bytes twice are one upload and run nothing
    dup = post(w, [bad])
    assert dup["duplicate"] is True and dup["rule_finding_ids"] == []


def test_confirmed_listing_finding_opens_a_case_against_the_store(world: World) -> None:
    w = world
    out = post(w, [complete(icp_filing=None)], role="store")
    fid = next(f["id"] for f in findings(w) if f["rule"] == "T10.filing_number_missing")
    assert fid in out["rule_finding_ids"]
    case_id = w.ok("ministry", "POST", f"/api/v1/findings/{fid}/review", json={"decision": "confirm"})[
        "case_id"
    ]
    case = w.ok("ministry", "GET", f"/api/v1/cases/{case_id}")
    assert case["store_id"] == w.ids["store"] and case["problem_type"] == 10
    # the store sees its case and findings; the other store and the provinces do not (platform cases are national)
    assert [c["id"] for c in w.ok("store", "GET", "/api/v1/platform-cases")["items"]] == [case_id]
    assert fid in {f["id"] for f in findings(w, role="store")}
    assert w.ok("store_other", "GET", "/api/v1/platform-cases")["items"] == []
    assert findings(w, role="store_other") == []
    assert w.ok("store", "GET", f"/api/v1/platform-cases?store_id={w.ids['store2']}")["total"] == 0
    assert w.ok("ministry", "GET", "/api/v1/platform-cases")["total"] == 1
    assert w.call("province", "GET", "/api/v1/platform-cases").status_code == 403
    assert w.call("enterprise", "GET", "/api/v1/platform-findings").status_code == 403
    # an app-subject scan finding on huawei is not a platform finding
    assert all(f["subject_kind"] == "platform" for f in findings(w))
    # the page
    w.client.cookies.clear()
    w.client.cookies.set("apprights_session", w.tokens["store"])
    page = w.client.get("/stores/platform")
    assert (
        page.status_code == 200 and f'id="case-{case_id}"' in page.text and f'id="finding-{fid}"' in page.text
    )
    w.client.cookies.set("apprights_session", w.tokens["store_other"])
    page = w.client.get("/stores/platform")
    assert page.status_code == 200 and f'id="case-{case_id}"' not in page.text
    w.client.cookies.clear()


def test_unknown_package_becomes_an_app_and_packageless_listing_is_skipped(world: World) -> None:
    w = world
    out = post(
        w, [complete(package="com.unknown.game", icp_filing=None), complete(package=None, icp_filing=None)]
    )
    assert out["stored"] == 2
    got = [f for f in findings(w) if f["id"] in out["rule_finding_ids"]]
    assert got and {f["app_id"] for f in got} != {w.ids["app"]}
    apps = w.ok("ministry", "GET", "/api/v1/apps?limit=200")["items"]
    assert "com.unknown.game" in {a["package"] for a in apps}


def test_hostile_listing_text_is_stored_without_error(world: World) -> None:
    w = world
    nasty = complete(
        app_name="示例\x00商城" + "长" * 5000,
        developer={"name": "\x00" * 10, "uscc": "12345\x00"},
        icp_filing="\x00",
        description="<script>alert(1)</script>",
        package="com.example.nul",
    )
    out = post(w, [nasty])
    assert out["stored"] == 1 and out["rule_finding_ids"]
    got = [f for f in findings(w) if f["id"] in out["rule_finding_ids"]]
    assert all("\x00" not in f["title_zh"] and len(f["title_zh"]) <= 500 for f in got)
