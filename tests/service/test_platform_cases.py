"""Cases against a distribution platform (``GET /platform-cases`` and the ``/stores/platform`` page) with more
than one store in the database, on SQLite and PostgreSQL (was: 500 on PostgreSQL, empty on SQLite)."""

from __future__ import annotations

from datetime import timedelta

from tests.service.conftest import World
from tests.service.test_store_supervision import ORDER_AT, listing, post_listings, removal_order


def _two_platform_cases(w: World) -> tuple[int, int]:
    removal_order(w)
    w.clock.now = ORDER_AT + timedelta(hours=40)
    own = post_listings(w, [listing("huawei", 30)]).json()["case_ids"]
    clone = listing("xiaomi", 31, package="com.example.shop2", developer={"name": "福州示例科技有限公司"})
    other = post_listings(w, [clone]).json()["case_ids"]
    assert len(own) == 1 and len(other) == 1
    return own[0], other[0]


def test_platform_cases_api_on_both_databases(world: World) -> None:
    w = world
    huawei_case, xiaomi_case = _two_platform_cases(w)
    page = w.ok("ministry", "GET", "/api/v1/platform-cases")
    assert [c["id"] for c in page["items"]] == sorted([huawei_case, xiaomi_case], reverse=True)
    assert page["total"] == 2
    assert [c["id"] for c in w.ok("store", "GET", "/api/v1/platform-cases")["items"]] == [huawei_case]
    assert [c["id"] for c in w.ok("store_other", "GET", "/api/v1/platform-cases")["items"]] == [xiaomi_case]
    only = w.ok("ministry", "GET", f"/api/v1/platform-cases?store_id={w.ids['store2']}")["items"]
    assert [c["id"] for c in only] == [xiaomi_case]
    assert w.call("province", "GET", "/api/v1/platform-cases").status_code == 403


def test_platform_page_on_both_databases(world: World) -> None:
    w = world
    huawei_case, xiaomi_case = _two_platform_cases(w)
    c = w.client
    c.cookies.clear()
    c.cookies.set("apprights_session", w.tokens["store"])
    page = c.get("/stores/platform")
    assert page.status_code == 200, page.text[:500]
    assert f'id="case-{huawei_case}"' in page.text
    assert f'id="case-{xiaomi_case}"' not in page.text
    c.cookies.set("apprights_session", w.tokens["ministry"])
    page = c.get("/stores/platform")
    c.cookies.clear()
    assert page.status_code == 200
    for cid in (huawei_case, xiaomi_case):
        assert f'id="case-{cid}"' in page.text
