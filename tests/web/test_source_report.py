"""A finding's case page links to the exact report it came from; the download is role-checked."""

from __future__ import annotations

import json

from apprights.service.deps import SESSION_COOKIE
from apprights.service.scans.factory import make_finding, make_report
from tests.service.conftest import World

PKG = "com.example.shop"


def _as(w: World, account: str) -> None:
    w.client.cookies.clear()
    w.client.cookies.set(SESSION_COOKIE, w.tokens[account])


def test_case_page_links_the_source_report(world: World) -> None:
    w = world
    finding = make_finding("t1.collect_before_consent", 1, ("app", PKG, "示例商城"), key="imei")
    other = json.dumps(make_report("com.example.other", n_findings=1, seed=3))
    mine = json.dumps(make_report(PKG, label="示例商城", findings=[finding]))
    batch = f"{other}\n{mine}\n".encode()
    w.ok("agency", "POST", "/api/v1/scans", content=batch)
    fid = next(
        f["id"] for f in w.ok("ministry", "GET", "/api/v1/findings")["items"] if f["app_id"] == w.ids["app"]
    )
    case_id = w.ok("ministry", "POST", f"/api/v1/findings/{fid}/review", json={"decision": "confirm"})[
        "case_id"
    ]
    run_id = w.ok("ministry", "GET", f"/api/v1/findings?case_id={case_id}")["items"][0]["scan_run_id"]
    link = f"/scans/{run_id}/report"
    for account in ("ministry", "enterprise"):
        _as(w, account)
        page = w.client.get(f"/cases/{case_id}")
        assert page.status_code == 200 and link in page.text, account
        got = w.client.get(link)
        assert got.status_code == 200 and got.content == mine.encode(), account  # that line, byte for byte
    _as(w, "agency")
    assert w.client.get(link).content == mine.encode()
    _as(w, "province")
    assert link not in w.client.get(f"/cases/{case_id}").text
    assert w.client.get(link).status_code == 403
    _as(w, "enterprise_other")
    assert w.client.get(link).status_code == 404
    w.client.cookies.clear()
    assert w.client.get(link, follow_redirects=False).status_code == 303


def test_web_response_is_kept_even_when_refused(world: World) -> None:
    w = world
    w.ok("agency", "POST", "/api/v1/scans", content=json.dumps(make_report(PKG, n_findings=1)).encode())
    fid = w.ok("ministry", "GET", "/api/v1/findings")["items"][0]["id"]
    case_id = w.ok("ministry", "POST", f"/api/v1/findings/{fid}/review", json={"decision": "confirm"})[
        "case_id"
    ]
    _as(w, "enterprise")
    r = w.client.post(f"/cases/{case_id}/response", data={"text": "已整改"}, follow_redirects=False)
    assert r.status_code == 409  # no notice yet
    sub = w.ok("ministry", "GET", "/api/v1/submissions?kind=case_response")["items"][0]
    assert (sub["channel"], sub["outcome"]) == ("web", "rejected") and "not awaiting" in sub["errors"][0][
        "message"
    ]
    assert w.call("ministry", "GET", f"/api/v1/submissions/{sub['id']}/raw").content == "已整改".encode()
