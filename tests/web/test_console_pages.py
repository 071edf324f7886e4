"""The dashboard (charts data, deadline board) and the findings review queue (filters, keyset paging, bulk)."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta

from apprights.service.scans.factory import make_finding, make_report
from tests.service.conftest import World
from tests.web.conftest import PKG, seed_findings


def _as(w: World, role: str) -> None:
    w.client.cookies.clear()
    w.client.cookies.set("apprights_session", w.tokens[role])


def _ids(page: str) -> list[int]:
    return [int(x) for x in re.findall(r'id="finding-(\d+)"', page)]


def test_queue_pages_by_keyset_filters_and_sorts(web_world: World) -> None:
    w = web_world
    all_ids = seed_findings(w, 120)
    _as(w, "ministry")
    c = w.client
    seen: list[int] = []
    url = "/findings"
    while url:
        page = c.get(url).text
        seen += _ids(page)
        m = re.search(r'href="([^"]+)" id="next-page"', page)
        url = html.unescape(m.group(1)) if m else ""
    assert seen == sorted(all_ids, reverse=True)  # newest first, every row once, no gaps
    assert '<span class="muted" id="total">120</span>' in c.get("/findings").text
    t3 = c.get("/findings?problem_type=3&sort=old").text
    assert _ids(t3) == sorted(_ids(t3)) and len(_ids(t3)) == 14  # i % 9 == 2 for i < 120
    by_type = c.get("/findings?sort=type").text.split('id="findings"', 1)[1]
    types = [int(x) for x in re.findall(r"<td>T(\d+)</td>", by_type)]
    assert types == sorted(types) and types[0] == 1 and types[-1] < 9  # the first page holds the lowest types
    assert _ids(c.get("/findings?problem_type=abc&after=x:y&sort=zzz").text)  # junk parameters are dropped
    _as(w, "province_other")  # Beijing sees none of the Fujian app's findings
    assert _ids(c.get("/findings").text) == []
    c.cookies.clear()


def test_bulk_confirm_and_dismiss_with_reason(web_world: World) -> None:
    w = web_world
    ids = seed_findings(w, 6)
    _as(w, "province")
    c = w.client
    r = c.post("/findings/bulk", data={"decision": "dismiss", "ids": ids[:2]})
    assert r.status_code == 422 and "reason" in r.text and 'id="back"' in r.text
    r = c.post(
        "/findings/bulk",
        data={"decision": "confirm", "ids": ids[:3], "back": "/findings?status=pending"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/findings?status=pending&done=confirm:3:0"
    assert "已处理" in c.get(r.headers["location"]).text
    r = c.post(
        "/findings/bulk",
        data={"decision": "dismiss", "ids": [*ids[2:5], 999999], "reason": "误报：测试数据"},
        follow_redirects=False,
    )
    assert r.headers["location"].endswith("done=dismiss:2:2")  # one already confirmed, one unknown
    statuses = {
        f["id"]: f["status"] for f in w.ok("ministry", "GET", "/api/v1/findings?status=confirmed")["items"]
    }
    assert set(statuses) == set(ids[:3])
    dismissed = w.ok("ministry", "GET", "/api/v1/findings?status=dismissed")["items"]
    assert {f["id"] for f in dismissed} == set(ids[3:5])
    assert _ids(c.get("/findings").text) == [ids[5]]
    c.cookies.clear()


def test_dashboard_charts_and_deadline_board(web_world: World) -> None:
    w = web_world
    ids = seed_findings(w, 4)
    cases = []
    for fid in ids[:3]:
        cases.append(
            w.ok("ministry", "POST", f"/api/v1/findings/{fid}/review", json={"decision": "confirm"})[
                "case_id"
            ]
        )
    # 2026-09-18 (Fri) + 5 working days = 2026-09-25; + 1 = 09-21 (Mon)
    w.ok(
        "ministry", "POST", f"/api/v1/cases/{cases[0]}/notice", json={"issued_on": "2026-09-11"}
    )  # due 09-18
    w.ok(
        "ministry",
        "POST",
        f"/api/v1/cases/{cases[1]}/notice",
        json={"issued_on": "2026-09-04", "working_days": 1},
    )
    w.ok(
        "ministry",
        "POST",
        f"/api/v1/cases/{cases[2]}/notice",
        json={"issued_on": "2026-09-18", "working_days": 3},
    )
    w.clock.now = datetime(2026, 9, 18, 2, 0, tzinfo=UTC)
    _as(w, "ministry")
    page = w.client.get("/").text
    board = page.split('id="deadline-board"', 1)[1]
    today, week = board.split('id="board-today"', 1)[1], board.split('id="board-week"', 1)[1]
    overdue = board.split('id="board-overdue"', 1)[1].split("</section>", 1)[0]
    assert f"#{cases[1]} " in overdue and f"#{cases[0]} " in today.split("</section>", 1)[0]
    assert f"#{cases[2]} " in week.split("</section>", 1)[0]
    charts = json.loads(html.unescape(page.split('data-charts="', 1)[1].split('"', 1)[0]))
    assert sum(t["value"] for t in charts["types"]) == 4
    assert charts["provinces"] == [{"name": "福建省", "value": 3}]
    assert charts["trend"]["months"][-1] == "2026-09" and charts["trend"]["findings"][-1] == 4
    _as(w, "province_other")
    other = w.client.get("/").text
    assert f"#{cases[1]} " not in other and "&#34;provinces&#34;: []" in other
    _as(w, "store")
    assert "deadline-board" not in w.client.get("/").text
    w.client.cookies.clear()


def test_dashboard_charts_are_at_most_a_minute_old(web_world: World) -> None:
    w = web_world
    seed_findings(w, 2)
    _as(w, "ministry")

    def total() -> int:
        page = w.client.get("/").text
        charts = json.loads(html.unescape(page.split('data-charts="', 1)[1].split('"', 1)[0]))
        return sum(t["value"] for t in charts["types"])

    assert total() == 2
    f = make_finding("t2.more", 2, ("app", PKG, "示例商城"), key="x")
    report = make_report(PKG, version_name="1.0.1", version_code=2, findings=[f])
    w.ok("agency", "POST", "/api/v1/scans", content=json.dumps(report).encode())
    w.clock.now += timedelta(seconds=30)
    assert total() == 2  # cached
    w.clock.now += timedelta(seconds=31)
    assert total() == 3
    w.client.cookies.clear()
