"""The other intake paths: each keeps what was sent (also when refused) and records the outcome."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from apprights.service.deps import Role
from apprights.service.files import blob_path
from tests.service.conftest import World
from tests.service.test_roles import _api_routes, _guard


def _latest(w: World, kind: str) -> dict[str, Any]:
    items = w.ok("ministry", "GET", f"/api/v1/submissions?kind={kind}")["items"]
    assert items, kind
    return items[0]  # type: ignore[no-any-return]


def _raw(w: World, sub: dict[str, Any]) -> bytes:
    r = w.call("ministry", "GET", f"/api/v1/submissions/{sub['id']}/raw")
    assert r.status_code == 200
    return r.content  # type: ignore[no-any-return]


def test_listing_upload_rejected_is_recorded(world: World) -> None:
    w = world
    bad = b'{"format": "apprights-listing/1", "store": '
    r = w.call("store", "POST", "/api/v1/listings", content=bad)
    assert r.status_code == 422
    sub = _latest(w, "listing")
    assert int(r.headers["X-Apprights-Submission"]) == sub["id"]
    assert sub["outcome"] == "rejected" and sub["actor"] == "store:store" and _raw(w, sub) == bad
    assert sub["errors"] and sub["errors"][0]["message"]
    # the store sees its own submission, another store does not
    assert w.call("store", "GET", f"/api/v1/submissions/{sub['id']}").status_code == 200
    assert w.call("store_other", "GET", f"/api/v1/submissions/{sub['id']}").status_code == 404


def test_lead_evidence_and_complaint_attachments(world: World) -> None:
    w = world
    w.clock.now = w.clock.now.replace(year=2026, month=11, day=3)
    lead = w.ok(
        "province",
        "POST",
        "/api/v1/leads",
        json={"app_name": "示例商城", "package": "com.example.shop", "problem_type": 1, "description": "x"},
    )
    evidence = b"\x89PNG evidence"
    w.ok(
        "province",
        "POST",
        f"/api/v1/leads/{lead['id']}/files",
        files={"file": ("a.png", evidence, "image/png")},
    )
    sub = _latest(w, "lead_file")
    assert (sub["outcome"], sub["filename"], sub["sha256"]) == (
        "accepted",
        "a.png",
        hashlib.sha256(evidence).hexdigest(),
    )
    assert _raw(w, sub) == evidence
    # a complaint whose attachment is not base64: refused, and what was sent is kept
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
    sub = _latest(w, "complaint_attachment")
    assert (
        sub["outcome"] == "rejected"
        and _raw(w, sub) == b"!!notbase64"
        and "base64" in sub["errors"][0]["message"]
    )
    ok = {
        "contact": {"name": "李四", "phone": "13912345678"},
        "app_name": "示例商城",
        "problem_type": 5,
        "description": "闪退",
        "attachments": [{"filename": "shot.png", "content_base64": base64.b64encode(b"img").decode()}],
    }
    w.ok("public", "POST", "/api/v1/complaints", json=ok)
    sub = _latest(w, "complaint_attachment")
    assert sub["outcome"] == "accepted" and _raw(w, sub) == b"img"
    assert "13912345678" not in json.dumps(sub)  # the complainant's contact is never in a submission


def test_calendar_upload_refused_is_kept(world: World) -> None:
    w = world
    bad = json.dumps({"holidays": ["2028-01-01"], "workdays": []}).encode()
    r = w.call("ministry", "POST", "/api/v1/admin/calendar/2027", content=bad)
    assert r.status_code == 422 and "not in 2027" in r.text
    sub = _latest(w, "calendar")
    assert sub["outcome"] == "rejected" and _raw(w, sub) == bad
    r = w.call("ministry", "POST", "/api/v1/admin/calendar/2027", content=b'{"holidays": "soon"}')
    assert r.status_code == 422
    sub = _latest(w, "calendar")
    assert sub["outcome"] == "rejected" and sub["errors"][0]["where"] == "holidays"
    good = {"holidays": ["2027-01-01"], "workdays": [], "source": "国办发明电"}
    assert w.ok("ministry", "PUT", "/api/v1/admin/calendar/2027", json=good)["holidays"] == ["2027-01-01"]
    assert _latest(w, "calendar")["outcome"] == "accepted"
    assert [y["year"] for y in w.ok("ministry", "GET", "/api/v1/admin/calendar")] == [2027]


def test_self_check_upload_not_an_apk_is_recorded(world: World) -> None:
    w = world
    r = w.call(
        "enterprise",
        "POST",
        f"/api/v1/self-checks?app_id={w.ids['app']}",
        content=b"not a zip",
        headers={"content-type": "application/octet-stream"},
    )
    assert r.status_code == 422
    sub = _latest(w, "self_check_apk")
    assert sub["outcome"] == "rejected" and "ZIP" in sub["errors"][0]["message"]
    assert blob_path(w.settings.data_dir, sub["sha256"]).read_bytes() == b"not a zip"
    assert w.call("enterprise", "GET", f"/api/v1/submissions/{sub['id']}/raw").content == b"not a zip"


def test_submission_routes_have_the_intended_roles(world: World) -> None:
    submitters = {Role.MINISTRY, Role.PROVINCE, Role.AGENCY, Role.ENTERPRISE, Role.STORE}
    expected = {
        ("/api/v1/submissions", "GET"): submitters,
        ("/api/v1/submissions/{submission_id}", "GET"): submitters,
        ("/api/v1/submissions/{submission_id}/raw", "GET"): submitters,
        ("/api/v1/scans/{scan_run_id}/report", "GET"): {Role.MINISTRY, Role.AGENCY, Role.ENTERPRISE},
    }
    found = {
        (path, m): set(_guard(r).roles)
        for path, r in _api_routes(world.client.app)
        for m in r.methods
        if (path, m) in expected
    }
    assert found == expected


def test_case_response_refused_is_kept(world: World) -> None:
    w = world
    from apprights.service.scans.factory import make_report

    w.ok(
        "agency",
        "POST",
        "/api/v1/scans",
        content=json.dumps(make_report("com.example.shop", n_findings=1)).encode(),
    )
    fid = w.ok("ministry", "GET", "/api/v1/findings")["items"][0]["id"]
    case_id = w.ok("ministry", "POST", f"/api/v1/findings/{fid}/review", json={"decision": "confirm"})[
        "case_id"
    ]
    # no notice yet: the answer is refused (409), and kept
    body = json.dumps({"text": "已整改 / fixed"}).encode()
    r = w.call("enterprise", "POST", f"/api/v1/cases/{case_id}/response", content=body)
    assert r.status_code == 409
    sub = _latest(w, "case_response")
    assert (
        sub["outcome"] == "rejected"
        and _raw(w, sub) == body
        and "not awaiting" in sub["errors"][0]["message"]
    )
    r = w.call("enterprise", "POST", f"/api/v1/cases/{case_id}/response", content=b'{"text": ""}')
    assert r.status_code == 422 and _latest(w, "case_response")["outcome"] == "rejected"
    w.ok("ministry", "POST", f"/api/v1/cases/{case_id}/notice", json={"issued_on": "2026-09-18"})
    w.ok("enterprise", "POST", f"/api/v1/cases/{case_id}/response", content=body)
    assert _latest(w, "case_response")["outcome"] == "accepted"
