"""Pages for 通报 batches, removal orders, leads, complaints and store statistics (HTTP client, SQLite and
PostgreSQL via the service fixtures)."""

from __future__ import annotations

from datetime import timedelta

from tests.service.conftest import World
from tests.service.test_store_supervision import ORDER_AT, listing, post_listings, removal_order


def _as(w: World, role: str) -> None:
    w.client.cookies.clear()
    w.client.cookies.set("apprights_session", w.tokens[role])


def test_publish_batch_from_pages(world: World) -> None:
    from tests.service.test_store_supervision import _confirmed_case

    w = world
    case_id = _confirmed_case(w)
    w.ok("ministry", "POST", f"/api/v1/cases/{case_id}/notice", json={"issued_on": "2026-09-18"})
    _as(w, "ministry")
    page = w.client.get("/notices/new").text
    assert "New public notice" in page and f'id="pick-{case_id}"' not in page  # not yet overdue
    w.clock.now = ORDER_AT
    w.ok("ministry", "POST", "/api/v1/cases/escalate-overdue")
    assert f'id="pick-{case_id}"' in w.client.get("/notices/new").text
    r = w.client.post(
        "/notices/new", data={"case_ids": [str(case_id)], "title": "页面通报"}, follow_redirects=False
    )
    assert r.status_code == 303
    url = r.headers["location"]
    page = w.client.get(url).text
    assert "页面通报" in page and "草稿" in page and 'id="publish"' in page
    assert w.client.post(f"{url}/publish", follow_redirects=False).status_code == 303
    assert "已发布" in w.client.get(url).text
    assert "页面通报" in w.client.get("/public/notices").text
    # a case not due for a 通报 is refused with the reason on the form
    bad = w.client.post("/notices/new", data={"case_ids": ["999999"]})
    assert bad.status_code == 200 and "unknown cases" in bad.text
    _as(w, "province")
    assert w.client.get("/notices/new").status_code == 403
    assert w.client.post(f"{url}/publish").status_code == 403
    w.client.cookies.clear()


def test_store_confirms_removal_order_on_page(world: World) -> None:
    w = world
    _case, order_id = removal_order(w)
    sid = w.ids["store"]
    _as(w, "store")
    page = w.client.get("/removal-orders").text
    assert f'id="order-{order_id}-{sid}"' in page and "Confirm removal" in page
    r = w.client.post(f"/removal-orders/{order_id}/confirm", data={"note": "已下架"}, follow_redirects=False)
    assert r.status_code == 303
    assert "已确认下架" in w.client.get("/removal-orders").text
    assert w.ok("store", "GET", "/api/v1/removal-orders")["items"][0]["confirmed_at"] is not None
    _as(w, "store_other")  # not concerned: neither sees nor confirms it
    assert f"order-{order_id}" not in w.client.get("/removal-orders").text
    assert w.client.post(f"/removal-orders/{order_id}/confirm").status_code == 404
    _as(w, "ministry")
    assert "已确认下架" in w.client.get("/removal-orders").text
    assert w.client.post(f"/removal-orders/{order_id}/confirm").status_code == 403
    _as(w, "province")
    assert w.client.get("/removal-orders").status_code == 403
    w.client.cookies.clear()


def test_leads_page_shows_late_and_duplicates(world: World) -> None:
    w = world
    from tests.service.test_store_supervision import _confirmed_case

    case_id = _confirmed_case(w)
    w.clock.now = w.clock.now.replace(day=10)  # before the 15th: on time
    w.ok(
        "province_other",
        "POST",
        "/api/v1/leads",
        json={"app_name": "别的应用", "problem_type": 2, "description": "x"},
    )
    w.clock.now = w.clock.now.replace(day=18)  # after the cutoff: late, and a duplicate of the open case
    w.ok(
        "province",
        "POST",
        "/api/v1/leads",
        json={"app_name": "示例商城", "package": "com.example.shop", "problem_type": 1, "description": "y"},
    )
    _as(w, "ministry")
    page = w.client.get("/leads?period=2026-09").text
    assert 'id="prov-35" class="status-late"' in page and 'id="prov-11" class="status-submitted"' in page
    assert 'id="prov-44" class="status-missing"' in page
    assert f'href="/cases/{case_id}"' in page and '<b id="duplicates">1</b>' in page
    assert "2026-08" in page and "2026-10" in page
    assert "2026-09" in w.client.get("/leads?period=bogus").text  # falls back to the current month
    _as(w, "province")  # a province sees its own row and reports on the page (tests/web/test_role_pages.py)
    own = w.client.get("/leads")
    assert own.status_code == 200 and 'id="prov-35"' in own.text and 'id="prov-11"' not in own.text
    w.client.cookies.clear()


def test_complaints_page_groups_flags_and_hides_contact(world: World) -> None:
    w = world
    for i in range(4):  # threshold 3 in the fixture: the 4th complaint puts the app over it
        w.ok(
            "public",
            "POST",
            "/api/v1/complaints",
            json={
                "contact": {"name": "李四", "phone": f"1390000000{i}"},
                "package": "com.example.shop",
                "app_name": "示例商城",
                "problem_type": 1,
                "description": f"投诉{i}",
            },
        )
    w.ok(
        "public",
        "POST",
        "/api/v1/complaints",
        json={"contact": {}, "app_name": "另一应用", "problem_type": 5, "description": "z"},
    )
    _as(w, "ministry")
    page = w.client.get("/complaints").text
    assert page.count('class="group"') == 2 and page.count("flag") >= 1 and "13900000003" in page
    _as(w, "province")  # its region's app, without the complainants' contact details
    page = w.client.get("/complaints").text
    assert page.count('class="group"') == 1 and "13900000003" not in page and "李四" not in page
    assert "contact hidden" in page
    _as(w, "store")
    assert w.client.get("/complaints").status_code == 403
    w.client.cookies.clear()


def test_store_stats_page(world: World) -> None:
    w = world
    _case, order_id = removal_order(w)
    w.clock.now = ORDER_AT + timedelta(hours=48)
    post_listings(w, [listing("huawei", 30)])
    _as(w, "ministry")
    page = w.client.get("/stores/stats?since=2026-09-01&until=2026-10-31").text
    assert "Store statistics" in page and "100.00%" in page and "(48.0)" in page
    assert w.client.get("/stores/stats?since=2026-13-01").status_code == 422
    _as(w, "store")
    assert w.client.get("/stores/stats").status_code == 403
    w.client.cookies.clear()
    assert order_id


PAGES = [
    ("GET", "/notices/new", {"ministry"}),
    ("POST", "/notices/new", {"ministry"}),
    ("GET", "/notices/1", {"ministry"}),
    ("POST", "/notices/1/publish", {"ministry"}),
    ("GET", "/removal-orders", {"ministry", "store"}),
    ("POST", "/removal-orders/1/confirm", {"store"}),
    ("GET", "/leads", {"ministry", "province"}),
    ("GET", "/complaints", {"ministry", "province"}),
    ("GET", "/stores/stats", {"ministry", "province"}),
    ("GET", "/stores/platform", {"ministry", "store"}),
    ("GET", "/self-checks", {"ministry", "enterprise"}),
    ("GET", "/self-checks/1", {"ministry", "enterprise"}),
    ("GET", "/self-checks/1/report", {"ministry", "enterprise"}),
    ("POST", "/self-checks", {"enterprise"}),
]


def test_page_role_matrix(world: World) -> None:
    """Every new page refuses every other role (403) and sends the anonymous to the login page."""
    w = world
    c = w.client
    checked = 0
    for method, url, allowed in PAGES:
        data = {"case_ids": ["1"]} if url == "/notices/new" and method == "POST" else None
        for role in ("ministry", "province", "agency", "enterprise", "store", "anonymous"):
            c.cookies.clear()
            if role != "anonymous":
                c.cookies.set("apprights_session", w.tokens[role])
            r = c.request(method, url, data=data, follow_redirects=False)
            if role == "anonymous":
                assert r.status_code == 303 and r.headers["location"] == "/login", (method, url)
            elif role in allowed:
                assert r.status_code not in (401, 403), (method, url, role, r.status_code)
            else:
                assert r.status_code == 403, (method, url, role, r.status_code)
            checked += 1
    c.cookies.clear()
    assert checked == len(PAGES) * 6
