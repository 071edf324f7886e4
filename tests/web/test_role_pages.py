"""Agency uploads, the enterprise's notices counted down in working days, the store's ranking, and the
public complaint form with its captcha-free rate limit."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from apprights.service.scans.factory import make_finding, make_report
from apprights.service.workdays import WorkdayCalendar
from apprights.web.ratelimit import RateLimit
from apprights.web.role_pages import working_days_left
from tests.service.conftest import World
from tests.web.conftest import PKG, seed_findings


def _as(w: World, role: str) -> None:
    w.client.cookies.clear()
    w.client.cookies.set("apprights_session", w.tokens[role])


def test_working_days_left_counts_the_mid_autumn_make_up_sunday() -> None:
    cal = WorkdayCalendar.default()
    d = datetime(2026, 9, 24).date()
    assert working_days_left(cal, datetime(2026, 9, 18).date(), d) == 5  # Sun 09-20 is a working day
    assert working_days_left(cal, d, d) == 0
    assert working_days_left(cal, datetime(2026, 9, 28).date(), d) == -1  # 09-25..27 are holidays


def test_rate_limit_window() -> None:
    rl = RateLimit(2, timedelta(hours=1))
    t0 = datetime(2026, 9, 18, tzinfo=UTC)
    assert rl.allow("a", t0) and rl.allow("a", t0) and not rl.allow("a", t0)
    assert rl.allow("b", t0)
    assert rl.allow("a", t0 + timedelta(hours=1, seconds=1))


def test_enterprise_sees_its_notice_counted_down(web_world: World) -> None:
    w = web_world
    fid = seed_findings(w, 1)[0]
    case_id = w.ok("ministry", "POST", f"/api/v1/findings/{fid}/review", json={"decision": "confirm"})[
        "case_id"
    ]
    w.ok("ministry", "POST", f"/api/v1/cases/{case_id}/notice", json={"issued_on": "2026-09-18"})
    _as(w, "enterprise")
    page = w.client.get("/my-notices").text
    assert '<span class="countdown" data-left="5">剩余 5 个工作日' in page
    w.clock.now = datetime(2026, 9, 28, 2, tzinfo=UTC)
    assert 'class="countdown late" data-left="-1">已逾期 1 个工作日' in w.client.get("/my-notices").text
    _as(w, "enterprise_other")
    assert f"/cases/{case_id}" not in w.client.get("/my-notices").text
    w.client.cookies.clear()


def test_agency_sees_its_uploads_and_their_outcomes(web_world: World) -> None:
    w = web_world
    seed_findings(w, 2)
    w.call("agency", "POST", "/api/v1/scans", content=b'{"not": "a report"}')
    _as(w, "agency")
    page = w.client.get("/uploads").text
    assert (
        page.count('<td class="outcome">accepted</td>') == 1 and '<td class="outcome">rejected</td>' in page
    )
    assert 'id="upload-progress"' in page
    _as(w, "store")
    assert w.client.get("/uploads").status_code == 403
    w.client.cookies.clear()


def test_store_ranking_marks_the_store(web_world: World) -> None:
    w = web_world
    f = make_finding("t9.listing", 9, ("app", PKG, "示例商城"))
    w.ok(
        "agency",
        "POST",
        "/api/v1/scans?store=huawei",
        content=json.dumps(make_report(PKG, findings=[f])).encode(),
    )
    _as(w, "store")
    page = w.client.get("/stores/ranking").text
    assert f'id="rank-{w.ids["store"]}" class="mine"' in page and "小米应用商店" in page
    w.client.cookies.clear()


def test_public_complaint_form_and_its_rate_limit(web_world: World) -> None:
    w = web_world
    c = w.client
    c.cookies.clear()
    form = {
        "app_name": "示例商城",
        "problem_type": "1",
        "description": "首次打开即读取设备号",
        "phone": "13900000000",
    }
    r = c.post("/public/complaint", data=form, follow_redirects=False)
    assert r.status_code == 303 and "done=" in r.headers["location"]
    assert "投诉已受理" in c.get(r.headers["location"]).text
    items = w.ok("ministry", "GET", "/api/v1/complaints")["items"]
    assert len(items) == 1 and items[0]["app_id"] == w.ids["app"]
    bad = c.post("/public/complaint", data={**form, "app_name": "", "package": ""})
    assert bad.status_code == 422 and "输入有误" in bad.text and 'id="complaint-form"' in bad.text
    for _ in range(3):
        assert c.post("/public/complaint", data=form, follow_redirects=False).status_code == 303
    r = c.post("/public/complaint", data=form)
    assert r.status_code == 429 and "too many complaints" in r.text and "首次打开即读取设备号" in r.text
    assert len(w.ok("ministry", "GET", "/api/v1/complaints")["items"]) == 4
    w.clock.now += timedelta(hours=1, minutes=1)
    assert c.post("/public/complaint", data=form, follow_redirects=False).status_code == 303
    assert c.post("/public/complaint", data={**form, "website": "http://spam"}).status_code == 429


def test_complaints_triage_into_a_detection_request(web_world: World) -> None:
    w = web_world
    body = {
        "contact": {"name": "李四"},
        "package": PKG,
        "app_name": "示例商城",
        "problem_type": 1,
        "description": "读取通讯录",
    }
    w.ok("public", "POST", "/api/v1/complaints", json=body)
    _as(w, "province_other")  # Beijing: the Fujian app's complaints are not its to triage
    assert w.client.post("/complaints/triage", data={"key": PKG}).status_code == 404
    _as(w, "province")
    r = w.client.post(
        "/complaints/triage", data={"key": PKG, "reason": "疑似违规读取通讯录"}, follow_redirects=False
    )
    assert r.status_code == 303
    tasks = w.ok("ministry", "GET", "/api/v1/detection-tasks")["items"]
    assert len(tasks) == 1 and tasks[0]["reason"] == "疑似违规读取通讯录" and tasks[0]["complaint_count"] == 1
    w.client.post("/complaints/triage", data={"key": PKG})
    assert len(w.ok("ministry", "GET", "/api/v1/detection-tasks")["items"]) == 1  # one queued task per app
    assert f"#{tasks[0]['id']} queued" in w.client.get("/complaints").text
    w.client.cookies.clear()


def test_enterprise_answers_with_the_scan_of_its_rebuilt_version(web_world: World) -> None:
    w = web_world
    fid = seed_findings(w, 1)[0]
    case_id = w.ok("ministry", "POST", f"/api/v1/findings/{fid}/review", json={"decision": "confirm"})[
        "case_id"
    ]
    w.ok("ministry", "POST", f"/api/v1/cases/{case_id}/notice", json={"issued_on": "2026-09-18"})
    rebuilt = make_report(PKG, version_name="2.0.0", version_code=20, findings=[])
    run_id = w.ok("enterprise", "POST", "/api/v1/scans", content=json.dumps(rebuilt).encode())[
        "scan_run_ids"
    ][0]
    _as(w, "enterprise")
    page = w.client.get(f"/cases/{case_id}").text
    assert f'<option value="{run_id}">#{run_id} 2.0.0 (20)' in page
    bad = w.client.post(f"/cases/{case_id}/response", data={"text": "已整改", "scan_run_id": "999999"})
    assert bad.status_code == 409 and "不属于该应用" in bad.text and 'id="response-form"' in bad.text
    r = w.client.post(
        f"/cases/{case_id}/response",
        data={"text": "已整改", "scan_run_id": str(run_id)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    detail = w.ok("ministry", "GET", f"/api/v1/cases/{case_id}")
    assert detail["state"] == "response_submitted"
    assert f'<a href="/scans/{run_id}/report">#{run_id}</a>' in w.client.get(f"/cases/{case_id}").text
    w.client.cookies.clear()


def test_province_reports_leads_and_sees_only_its_own(web_world: World) -> None:
    w = web_world
    _as(w, "province")
    form = {
        "app_name": "示例商城",
        "package": PKG,
        "problem_type": "2",
        "description": "超范围索取通讯录权限",
    }
    r = w.client.post("/leads", data=form, follow_redirects=False)
    assert r.status_code == 303
    page = w.client.get("/leads").text
    assert (
        'id="lead-form"' in page
        and "示例商城" in page
        and 'id="prov-35"' in page
        and 'id="prov-11"' not in page
    )
    bad = w.client.post("/leads", data={**form, "app_name": ""})
    assert bad.status_code == 422 and "输入有误" in bad.text
    _as(w, "province_other")
    other = w.client.get("/leads").text
    assert "示例商城" not in other and 'id="prov-11"' in other
    _as(w, "ministry")
    national = w.client.get("/leads").text
    row = national.split('id="prov-35"', 1)[1].split("</tr>", 1)[0]
    assert "<td>1</td>" in row and 'id="lead-form"' not in national
    w.client.cookies.clear()
