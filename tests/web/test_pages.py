"""Server-rendered pages: with the HTTP client, and in a real browser (Playwright driving Debian chromium)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from apprights.service.scans.factory import make_finding, make_report
from tests.service.conftest import ADMIN_PASSWORD, World, WorldSnapshot, world_from

CHROMIUM = "/usr/bin/chromium"
PKG = "com.example.shop"


@pytest.fixture
def world(sqlite_world_snapshot: WorldSnapshot, tmp_path: Path) -> Iterator[World]:
    """These page tests run on SQLite only (the ``world`` of tests/service runs on both databases)."""
    with world_from(sqlite_world_snapshot, tmp_path) as w:
        yield w


def _seed(w: World) -> None:
    finding = make_finding("t1.collect_before_consent", 1, ("app", PKG, "示例商城"), key="imei")
    report = make_report(PKG, label="示例商城", findings=[finding], store="huawei")
    w.ok("agency", "POST", "/api/v1/scans", content=json.dumps(report).encode())


def test_pages_need_login_and_show_data(world: World) -> None:
    w = world
    _seed(w)
    c = w.client
    c.cookies.clear()
    r = c.get("/findings", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert "登录" in c.get("/login").text and "Log in" in c.get("/login").text
    bad = c.post("/login", data={"username": "admin", "password": "nope"})
    assert bad.status_code == 401 and "wrong username or password" in bad.text
    r = c.post("/login", data={"username": "admin", "password": ADMIN_PASSWORD}, follow_redirects=False)
    assert r.status_code == 303
    page = c.get("/findings").text
    assert "问题审核" in page and "Findings review" in page and "示例商城" in page
    fid = w.ok("ministry", "GET", "/api/v1/findings")["items"][0]["id"]
    r = c.post(f"/findings/{fid}/review", data={"decision": "confirm"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/cases/")
    case_page = c.get(r.headers["location"]).text
    assert "已确认" in case_page and "Audit trail" in case_page
    app_page = c.get(f"/apps/{w.ids['app']}").text
    assert "1.0.0" in app_page and "违规收集个人信息" in app_page
    assert c.get("/apps/999999").status_code == 404
    assert "示例商城" in c.get("/apps?q=shop").text
    case_url = r.headers["location"]
    # a guard refuses: the page shows why, nothing changes
    bad = c.post(f"{case_url}/transition", data={"to": "dismissed", "reason": ""})
    assert bad.status_code == 409 and "reason is required" in bad.text and "已确认" in bad.text
    # issue the notice from the page (5 working days from the clock's 2026-09-18)
    r = c.post(f"{case_url}/notice", data={"working_days": "5"}, follow_redirects=False)
    assert r.status_code == 303
    page = c.get(case_url).text
    assert "2026-09-24" in page and "已下发整改通知" in page
    # the enterprise answers on the page
    c.cookies.clear()
    c.cookies.set("apprights_session", w.tokens["enterprise"])
    assert 'id="response-form"' in c.get(case_url).text
    r = c.post(f"{case_url}/response", data={"text": "已整改完毕"}, follow_redirects=False)
    assert r.status_code == 303
    assert "企业已反馈" in c.get(case_url).text
    assert c.post(f"{case_url}/notice", data={"working_days": "5"}).status_code == 403
    c.cookies.clear()


def test_store_user_cannot_open_review_pages(world: World) -> None:
    w = world
    c = w.client
    c.cookies.set("apprights_session", w.tokens["store"])
    assert c.get("/findings").status_code == 403
    assert c.get("/cases").status_code == 403
    c.cookies.clear()


@pytest.mark.browser
def test_browser_review_case_deadline_and_public_notice(world: World) -> None:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"chromium not installed at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    from tests.service.test_walkthrough import Server

    w = world
    _seed(w)
    with Server(w.client.app) as server, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        try:
            page = browser.new_page()
            page.goto(server.url + "/login")
            page.fill("#username", "admin")
            page.fill("#password", ADMIN_PASSWORD)
            page.click("#login")
            page.wait_for_url(server.url + "/")
            page.goto(server.url + "/findings")
            row = page.locator("#findings tr[id^=finding-]").first
            row.locator("button.confirm").click()
            page.wait_for_url("**/cases/*")
            assert "已确认" in page.locator("#state").inner_text()
            case_id = int(page.url.rsplit("/", 1)[1])
            # issue the notice on the page (the clock says 2026-09-18); the page shows the computed deadline
            page.click("#issue-notice")
            page.wait_for_load_state()
            assert "2026-09-24" in page.locator("#deadline").inner_text()
            assert "notice_issued" in page.locator("#audit").inner_text()
            # publish a 通报 and see it on the public page, logged out
            w.clock.now = w.clock.now.replace(month=10, day=1)
            w.ok("ministry", "POST", "/api/v1/cases/escalate-overdue")
            batch = w.ok(
                "ministry",
                "POST",
                "/api/v1/notices/public",
                json={"case_ids": [case_id], "title": "浏览器测试通报"},
            )
            w.ok("ministry", "POST", f"/api/v1/notices/{batch['id']}/publish")
            public = browser.new_page()
            public.goto(server.url + "/public/notices")
            assert "浏览器测试通报" in public.locator("#notices").inner_text()
            public.click("text=浏览器测试通报")
            assert "示例商城" in public.content()
        finally:
            browser.close()


@pytest.mark.browser
def test_browser_publish_batch_confirm_removal_and_late_leads(world: World) -> None:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"chromium not installed at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    from tests.service.test_walkthrough import Server

    w = world
    _seed(w)
    fid = w.ok("ministry", "GET", "/api/v1/findings")["items"][0]["id"]
    case_id = w.ok("ministry", "POST", f"/api/v1/findings/{fid}/review", json={"decision": "confirm"})[
        "case_id"
    ]
    w.ok("ministry", "POST", f"/api/v1/cases/{case_id}/notice", json={"issued_on": "2026-09-18"})
    w.clock.now = w.clock.now.replace(month=10, day=1)
    w.ok("ministry", "POST", "/api/v1/cases/escalate-overdue")
    # Fujian reports its September leads after the 15th: late
    w.ok(
        "province",
        "POST",
        "/api/v1/leads",
        json={"period": "2026-09", "app_name": "示例商城", "problem_type": 1, "description": "线索"},
    )
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    with Server(w.client.app) as server, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[*args, "--disable-component-update"])
        try:
            page = browser.new_page()
            page.goto(server.url + "/login")
            page.fill("#username", "admin")
            page.fill("#password", ADMIN_PASSWORD)
            page.click("#login")
            page.wait_for_url(server.url + "/")
            # 通报 from the selected case, then publish it
            page.click("#menu >> text=Notices")
            page.wait_for_url("**/notices")
            page.click("#new-batch")
            page.wait_for_url("**/notices/new")
            page.check(f"#pick-{case_id}")
            page.fill("#batch-title", "浏览器通报批次")
            page.click("#create-batch")
            page.wait_for_url("**/notices/*")
            assert "草稿" in page.locator("#published").inner_text()
            page.click("#publish")
            page.wait_for_load_state()
            assert "已发布" in page.locator("#published").inner_text()
            public = browser.new_page()
            public.goto(server.url + "/public/notices")
            assert "浏览器通报批次" in public.locator("#notices").inner_text()
            # the ministry orders removal (API); the store confirms it on its page
            order = w.ok("ministry", "POST", "/api/v1/notices/removal", json={"case_ids": [case_id]})
            store_ctx = browser.new_context()
            store_ctx.add_cookies(
                [{"name": "apprights_session", "value": w.tokens["store"], "url": server.url}]
            )
            store = store_ctx.new_page()
            store.goto(server.url + "/removal-orders")
            row = store.locator(f"#order-{order['id']}-{w.ids['store']}")
            row.locator("button.confirm-removal").click()
            store.wait_for_load_state()
            assert (
                "已确认下架"
                in store.locator(f"#order-{order['id']}-{w.ids['store']} .confirmation").inner_text()
            )
            # the leads page: Fujian late, Beijing missing
            page.goto(server.url + "/leads?period=2026-09")
            assert "late" in (page.locator("#prov-35").get_attribute("class") or "")
            assert "逾期" in page.locator("#prov-35").inner_text()
            assert "missing" in (page.locator("#prov-11").get_attribute("class") or "")
        finally:
            browser.close()
