"""The main journeys, end to end in chromium, each step on a page: the ministry confirms findings in bulk and
issues a notice; the enterprise responds; the agency uploads a re-test; the ministry re-tests, escalates to a
通报 and publishes it; the public reads it; the store confirms the removal order."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from apprights.service.scans.factory import make_finding, make_report
from tests.service.conftest import World
from tests.web.browser import browser_for, login, make_login
from tests.web.conftest import PKG


@pytest.mark.browser
def test_notice_response_retest_public_notice_and_removal(web_world: World, tmp_path: Path) -> None:
    w = web_world
    found = [make_finding("t1.collect_before_consent", 1, ("app", PKG, "示例商城"), key="imei")]
    found.append(make_finding("t1.collect_before_consent", 1, ("sdk", "jpush", "极光推送"), key="imei"))
    w.ok(
        "agency",
        "POST",
        "/api/v1/scans?store=huawei",
        content=json.dumps(make_report(PKG, label="示例商城", findings=found)).encode(),
    )
    retest = tmp_path / "retest.json"  # the rectified build still collects the IMEI
    retest.write_text(
        json.dumps(make_report(PKG, version_name="1.0.1", version_code=2, findings=found)), "utf-8"
    )
    names = {r: make_login(w, r) for r in ("ministry", "enterprise", "agency", "store")}
    with browser_for(w) as (browser, url):
        ministry = login(browser, url, names["ministry"])
        ministry.goto(url + "/findings")
        ministry.check("#select-all")
        ministry.click("#bulk-confirm")
        ministry.wait_for_url("**done=confirm:2:0")
        ministry.goto(url + "/cases")
        ministry.locator("a[href^='/cases/']").first.click()
        ministry.wait_for_url("**/cases/*")
        case_url = ministry.url
        assert "已确认" in ministry.inner_text("#state")
        assert ministry.locator("#case-notices").inner_text().strip().startswith("暂无")
        ministry.click("#issue-notice")
        ministry.wait_for_load_state()
        assert "2026-09-24" in ministry.inner_text("#deadline")

        enterprise = login(browser, url, names["enterprise"])
        enterprise.click("#menu >> text=整改通知")
        assert "剩余 5 个工作日" in enterprise.inner_text("#my-notices")
        enterprise.click("text=提交整改反馈")
        enterprise.fill("#response-text", "已移除同意前的设备号读取，新版本1.0.1已上架")
        enterprise.click("#submit-response")
        enterprise.wait_for_load_state()
        assert "企业已反馈" in enterprise.inner_text("#state")
        assert "新版本1.0.1" in enterprise.inner_text("#responses")

        agency = login(browser, url, names["agency"])
        agency.click("#menu >> text=检测结果上传")
        agency.set_input_files("#upload-file", str(retest))
        agency.click("#upload")
        agency.wait_for_selector("#upload-result[data-status='200']")
        assert "入库 accepted: 1 / 1" in agency.inner_text("#upload-result")
        assert float(agency.get_attribute("#upload-progress", "value") or 0) == 100

        ministry.goto(case_url)
        ministry.click("#retest")
        ministry.wait_for_load_state()
        assert "未整改" in ministry.inner_text("#state")
        ministry.fill("#escalate-reason", "复测仍在同意前读取IMEI")
        ministry.click("#escalate")
        ministry.wait_for_load_state()
        assert "已通报" in ministry.inner_text("#state")
        ministry.click("#menu >> text=通知通报")
        ministry.click("#new-batch")
        case_id = case_url.rsplit("/", 1)[1]
        ministry.check(f"#pick-{case_id}")
        ministry.fill("#batch-title", "关于侵害用户权益行为的APP通报（2026年第1批）")
        ministry.click("#create-batch")
        ministry.wait_for_url("**/notices/*")
        ministry.click("#publish")
        ministry.wait_for_load_state()
        assert "已发布" in ministry.inner_text("#published")

        public = browser.new_context().new_page()
        public.goto(url + "/")
        public.wait_for_url("**/public/notices")
        public.click("text=关于侵害用户权益行为的APP通报（2026年第1批）")
        assert "示例商城" in public.content()

        ministry.goto(case_url)
        ministry.click("#order-removal")
        ministry.wait_for_url("**/notices/*")
        order_id = ministry.url.rsplit("/", 1)[1]
        store = login(browser, url, names["store"])
        store.click("#menu >> text=下架通知")
        row = store.locator(f"#order-{order_id}-{w.ids['store']}")
        row.locator("button.confirm-removal").click()
        store.wait_for_load_state()
        assert "已确认下架" in store.inner_text(f"#order-{order_id}-{w.ids['store']} .confirmation")
    assert w.clock.now == datetime(2026, 9, 18, 2, 0, tzinfo=UTC)
