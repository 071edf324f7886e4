"""Every API route declares who may call it; every other role is refused (table-driven over routes × roles)."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute

from apprights.service.deps import Role, Roles
from tests.service.conftest import World

ROLE_ACCOUNTS = {
    Role.MINISTRY: "ministry",
    Role.PROVINCE: "province",
    Role.AGENCY: "agency",
    Role.ENTERPRISE: "enterprise",
    Role.STORE: "store",
    Role.PUBLIC: "public",
}


def _guard(route: APIRoute) -> Roles:
    found = [d.call for d in route.dependant.dependencies if isinstance(d.call, Roles)]
    assert len(found) == 1, f"{route.path} must declare exactly one Roles guard"
    return found[0]


def _walk(routes, prefix: str = ""):  # type: ignore[no-untyped-def]
    """(full path, route) for every APIRoute, also inside included routers."""
    for r in routes:
        if isinstance(r, APIRoute):
            yield (r.path if r.path.startswith(prefix) else prefix + r.path), r
        elif hasattr(r, "original_router"):  # FastAPI's included-router wrapper
            yield from _walk(r.original_router.routes, r.include_context.prefix or prefix)


def _api_routes(app) -> list[tuple[str, APIRoute]]:  # type: ignore[no-untyped-def]
    return [(p, r) for p, r in _walk(app.routes) if p.startswith("/api/v1")]


def test_route_role_matrix(world: World) -> None:
    w = world
    routes = _api_routes(w.client.app)
    assert len(routes) > 30
    checked = 0
    for path, route in routes:
        allowed = _guard(route).roles
        if Role.PUBLIC in allowed:
            continue
        url = re.sub(r"\{year\}", "2027", path)
        url = re.sub(r"\{period\}", "2026-11", url)
        url = re.sub(r"\{[a-z_]+\}", "1", url)
        for method in route.methods - {"HEAD"}:
            for role, account in ROLE_ACCOUNTS.items():
                if role in allowed:
                    continue
                kw = {"json": {}} if method in ("POST", "PUT") else {}
                r = w.call(account, method, url, **kw)
                expected = 401 if role is Role.PUBLIC else 403
                assert r.status_code == expected, (method, url, role, r.status_code, r.text[:200])
                checked += 1
    assert checked > 100


def test_scoping_within_allowed_roles(world: World) -> None:
    w = world
    app_id = w.ids["app"]
    # the Fujian enterprise's app: its province and itself see it; Beijing's province and enterprise do not
    assert w.call("province", "GET", f"/api/v1/apps/{app_id}").status_code == 200
    assert w.call("enterprise", "GET", f"/api/v1/apps/{app_id}").status_code == 200
    assert w.call("province_other", "GET", f"/api/v1/apps/{app_id}").status_code == 404
    assert w.call("enterprise_other", "GET", f"/api/v1/apps/{app_id}").status_code == 404
    assert w.ok("province_other", "GET", "/api/v1/apps")["total"] == 0
    assert w.ok("enterprise_other", "GET", "/api/v1/apps")["total"] == 0
    # a province registers enterprises of its own region only; an enterprise only its own apps
    r = w.call(
        "province_other",
        "POST",
        "/api/v1/enterprises",
        json={"name": "x", "uscc": "91440300708461136T", "province_code": "44"},
    )
    assert r.status_code == 403
    r = w.call(
        "enterprise_other",
        "POST",
        "/api/v1/apps",
        json={"package": "com.x.y", "enterprise_id": w.ids["enterprise"]},
    )
    assert r.status_code == 403
    # a store sees only its own platform
    stores = w.ok("store", "GET", "/api/v1/stores")["items"]
    assert [s["id"] for s in stores] == [w.ids["store"]]
    assert w.call("store", "GET", f"/api/v1/stores/{w.ids['store2']}").status_code == 404
    # an enterprise may not ingest reports of apps that are not its own
    from apprights.service.scans.factory import make_report

    r = w.call(
        "enterprise_other", "POST", "/api/v1/scans", json=make_report("com.example.shop", n_findings=1)
    )
    assert r.status_code == 422 and "not one of your apps" in r.text


@pytest.mark.parametrize("token", ["", "apr_nonsense", "x" * 500])
def test_bad_tokens_are_401(world: World, token: str) -> None:
    r = world.client.get("/api/v1/cases", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401


def test_login_and_logout(world: World) -> None:
    from tests.service.conftest import ADMIN_PASSWORD

    c = world.client
    assert c.post("/api/v1/auth/login", json={"username": "admin", "password": "wrong"}).status_code == 401
    token = c.post("/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD}).json()[
        "token"
    ]
    c.cookies.clear()
    h = {"Authorization": f"Bearer {token}"}
    assert c.get("/api/v1/me", headers=h).json()["role"] == "ministry"
    assert c.post("/api/v1/auth/logout", headers=h).status_code == 204
    c.cookies.clear()
    assert c.get("/api/v1/me", headers=h).status_code == 401
    from apprights.service.users.models import User

    with c.app.state.sessionmaker() as s:
        stored = s.query(User).filter_by(username="admin").one().password_hash
    assert stored.startswith("scrypt$") and ADMIN_PASSWORD not in stored


def test_case_actions_are_limited_to_the_region_and_the_owner(world: World) -> None:
    import json

    from apprights.service.scans.factory import make_report

    w = world
    run = w.ok(
        "agency",
        "POST",
        "/api/v1/scans",
        content=json.dumps(make_report("com.example.shop", n_findings=1)).encode(),
    )
    fid = w.ok("province", "GET", "/api/v1/findings")["items"][0]["id"]
    # another province neither sees nor reviews the Fujian app's findings
    assert w.ok("province_other", "GET", "/api/v1/findings")["total"] == 0
    r = w.call("province_other", "POST", f"/api/v1/findings/{fid}/review", json={"decision": "confirm"})
    assert r.status_code == 404
    case_id = w.ok("province", "POST", f"/api/v1/findings/{fid}/review", json={"decision": "confirm"})[
        "case_id"
    ]
    assert w.call("province_other", "GET", f"/api/v1/cases/{case_id}").status_code == 404
    assert w.call("province_other", "POST", f"/api/v1/cases/{case_id}/notice", json={}).status_code == 404
    w.ok("province", "POST", f"/api/v1/cases/{case_id}/notice", json={"issued_on": "2026-09-18"})
    # only the owning enterprise answers; the agency sees its scan runs but not the cases
    r = w.call("enterprise_other", "POST", f"/api/v1/cases/{case_id}/response", json={"text": "x"})
    assert r.status_code == 404
    assert w.ok("enterprise", "GET", "/api/v1/cases")["total"] == 1
    assert w.ok("enterprise_other", "GET", "/api/v1/cases")["total"] == 0
    assert [s["id"] for s in w.ok("agency", "GET", "/api/v1/scans")["items"]] == run["scan_run_ids"]
    w.ok("enterprise", "POST", f"/api/v1/cases/{case_id}/response", json={"text": "已整改"})
    assert w.ok("province", "GET", f"/api/v1/cases/{case_id}")["state"] == "response_submitted"


def test_store_supervision_routes_have_the_intended_roles(world: World) -> None:
    expected = {
        ("/api/v1/listings", "POST"): {Role.MINISTRY, Role.AGENCY, Role.STORE},
        ("/api/v1/listings", "GET"): {Role.MINISTRY, Role.AGENCY, Role.STORE},
        ("/api/v1/store-stats", "GET"): {Role.MINISTRY, Role.PROVINCE},
        ("/api/v1/removal-orders", "GET"): {Role.MINISTRY, Role.STORE},
        ("/api/v1/notices/{notice_id}/confirm-removal", "POST"): {Role.STORE},
    }
    found = {
        (path, m): set(_guard(r).roles)
        for path, r in _api_routes(world.client.app)
        for m in r.methods
        if (path, m) in expected
    }
    assert found == expected
