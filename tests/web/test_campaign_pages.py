"""The campaigns page (``apprights.web.campaign_pages``): the ministry creates campaigns (validation on the page),
every reader sees them with their counts; the review queue and the dashboard filter by campaign; the agency's
upload form offers them; and in chromium: create → upload into it → the queue shows only its findings."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from apprights.service.scans.factory import make_finding, make_report
from tests.service.conftest import World
from tests.web.browser import browser_for, login, make_login
from tests.web.conftest import PKG


def _as(w: World, role: str) -> None:
    w.client.cookies.clear()
    w.client.cookies.set("apprights_session", w.tokens[role])


def _upload(
    w: World, keys: list[str], version: int, campaign: int | None = None, problem_type: int = 1
) -> int:
    found = [
        make_finding(f"t{problem_type}.rule_{k}", problem_type, ("app", PKG, "示例商城"), key=k) for k in keys
    ]
    q = f"?campaign_id={campaign}" if campaign else ""
    body = json.dumps(make_report(PKG, version_code=version, findings=found)).encode()
    run: int = w.ok("agency", "POST", f"/api/v1/scans{q}", content=body)["scan_run_ids"][0]
    return run


def _ids(html: str) -> set[int]:
    return {int(x) for x in re.findall(r'id="finding-(\d+)"', html)}


def test_campaigns_page_create_and_counts(web_world: World) -> None:
    w = web_world
    _as(w, "ministry")
    c = w.client
    assert "暂无专项行动" in c.get("/campaigns").text
    bad = c.post(
        "/campaigns",
        data={"name": "倒序", "year": "2026", "starts_on": "2026-05-01", "ends_on": "2026-04-01"},
    )
    assert bad.status_code == 422 and "ends_on is before starts_on" in bad.text
    bad = c.post("/campaigns", data={"name": "年份", "year": "20x6", "starts_on": "2026-05-01"})
    assert bad.status_code == 422 and "输入有误" in bad.text
    r = c.post(
        "/campaigns",
        data={"name": "2026年专项整治", "year": "2026", "starts_on": "2026-03-01", "description": "第一批"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    dup = c.post("/campaigns", data={"name": "2026年专项整治", "year": "2026", "starts_on": "2026-03-01"})
    assert dup.status_code == 422 and "已存在" in dup.text
    cid = w.ok("ministry", "GET", "/api/v1/campaigns")[0]["id"]
    _upload(w, ["a", "b"], 1, cid)
    _upload(w, ["c"], 2)
    page = c.get("/campaigns").text
    row = page[page.index(f'id="campaign-{cid}"') :].split("</tr>")[0]
    assert re.search(r'class="apps">1<', row) and re.search(
        rf'href="/findings\?status=pending&amp;campaign={cid}" title="[^"]*">2<', row
    )
    # the number counts every reported finding, dismissed ones too: the page says so
    assert "Findings reported" in page and "pending and dismissed ones included" in page
    for role in ("province", "agency"):
        _as(w, role)
        text = c.get("/campaigns").text
        assert "2026年专项整治" in text and 'id="new-campaign"' not in text
        assert (
            c.post("/campaigns", data={"name": "x", "year": "2026", "starts_on": "2026-03-01"}).status_code
            == 403
        )
    _as(w, "enterprise")
    assert c.get("/campaigns").status_code == 403
    _as(w, "agency")
    uploads = c.get("/uploads").text
    assert f'<option value="{cid}">2026年专项整治</option>' in uploads
    c.cookies.clear()


def test_review_queue_and_dashboard_filter_by_campaign(web_world: World) -> None:
    w = web_world
    cid = w.ok(
        "ministry",
        "POST",
        "/api/v1/campaigns",
        json={"name": "专项A", "year": 2026, "starts_on": "2026-03-01"},
    )["id"]
    in_run = _upload(w, ["a", "b"], 1, cid)
    out_run = _upload(w, ["c"], 2, problem_type=2)  # another problem type: another case
    items = w.ok("ministry", "GET", "/api/v1/findings?limit=100")["items"]
    inside = {f["id"] for f in items if f["scan_run_id"] == in_run}
    outside = {f["id"] for f in items if f["scan_run_id"] == out_run}
    assert len(inside) == 2 and len(outside) == 1
    _as(w, "ministry")
    c = w.client
    assert _ids(c.get("/findings").text) == inside | outside
    page = c.get(f"/findings?campaign={cid}").text
    assert _ids(page) == inside and f'<option value="{cid}" selected>专项A</option>' in page
    assert _ids(c.get(f"/findings?campaign={cid}&sort=type").text) == inside
    assert _ids(c.get("/findings?campaign=999").text) == set()  # a campaign with no runs
    # confirm one finding of each: the dashboard filtered by the campaign charts only its case
    for fid in (min(inside), min(outside)):
        w.ok("ministry", "POST", f"/api/v1/findings/{fid}/review", json={"decision": "confirm"})
    everything = json.loads(_charts(c.get("/").text))
    only = json.loads(_charts(c.get(f"/?campaign={cid}").text))
    assert sum(x["value"] for x in everything["types"]) == 3 and sum(x["value"] for x in only["types"]) == 2
    assert sum(everything["trend"]["cases"]) == 2 and sum(only["trend"]["cases"]) == 1
    assert f'<option value="{cid}" selected>专项A</option>' in c.get(f"/?campaign={cid}").text
    assert c.get("/?campaign=abc").status_code == 200  # a bad value is dropped, not an error
    c.cookies.clear()


def _charts(html: str) -> str:
    import html as h

    m = re.search(r'data-charts="([^"]*)"', html)
    assert m is not None
    return h.unescape(m.group(1))


@pytest.mark.browser
def test_campaign_created_uploaded_into_and_filtered_in_the_browser(web_world: World, tmp_path: Path) -> None:
    w = web_world
    names = {r: make_login(w, r) for r in ("ministry", "agency")}
    report = tmp_path / "spring.json"
    found = [make_finding("t1.rule_x", 1, ("app", PKG, "示例商城"), key=k) for k in ("imei", "mac")]
    report.write_text(json.dumps(make_report(PKG, version_code=5, findings=found)), "utf-8")
    _upload(w, ["other"], 1)  # a finding outside the campaign
    with browser_for(w) as (browser, url):
        ministry = login(browser, url, names["ministry"])
        ministry.click("#menu >> text=专项行动")
        ministry.fill("#campaign-name", "春季专项检测")
        ministry.fill("#campaign-description", "浏览器测试")
        ministry.click("#create-campaign")
        ministry.wait_for_url(url + "/campaigns")
        assert "春季专项检测" in ministry.inner_text("#campaigns")

        agency = login(browser, url, names["agency"])
        agency.click("#menu >> text=检测结果上传")
        agency.select_option("#upload-campaign", label="春季专项检测")
        agency.set_input_files("#upload-file", str(report))
        agency.click("#upload")
        agency.wait_for_selector("#upload-result[data-status='200']")
        agency.wait_for_selector("#submissions >> text=春季专项检测")

        ministry.goto(url + "/findings")
        assert ministry.locator("#queue tr[id^='finding-']").count() == 3
        ministry.select_option("#filter-campaign", label="春季专项检测")
        ministry.wait_for_url("**campaign=*")
        ministry.wait_for_function("document.querySelectorAll(\"#queue tr[id^='finding-']\").length === 2")
        ministry.goto(url + "/campaigns")
        row = ministry.inner_text("#campaigns")
        assert "春季专项检测" in row


def test_the_ministry_edits_a_campaign_on_its_page(web_world: World) -> None:
    w = web_world
    cid = w.ok(
        "ministry",
        "POST",
        "/api/v1/campaigns",
        json={"name": "错名", "year": 2026, "starts_on": "2026-03-01"},
    )["id"]
    _as(w, "ministry")
    c = w.client
    assert f'href="/campaigns/{cid}/edit"' in c.get("/campaigns").text
    form = c.get(f"/campaigns/{cid}/edit")
    assert form.status_code == 200 and 'value="错名"' in form.text and 'id="edit-campaign"' in form.text
    bad = c.post(
        f"/campaigns/{cid}",
        data={"name": "对名", "year": "2026", "starts_on": "2026-05-01", "ends_on": "2026-01-01"},
    )
    assert bad.status_code == 422 and "ends_on is before starts_on" in bad.text
    ok = c.post(
        f"/campaigns/{cid}",
        data={"name": "对名", "year": "2026", "starts_on": "2026-03-01", "ends_on": "2026-12-31"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert "对名" in c.get("/campaigns").text and "错名" not in c.get("/campaigns").text
    for role in ("province", "agency"):
        _as(w, role)
        assert f"/campaigns/{cid}/edit" not in c.get("/campaigns").text
        assert c.get(f"/campaigns/{cid}/edit").status_code == 403
        assert (
            c.post(
                f"/campaigns/{cid}", data={"name": "x", "year": "2026", "starts_on": "2026-03-01"}
            ).status_code
            == 403
        )
