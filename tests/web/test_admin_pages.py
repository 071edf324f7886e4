"""User administration: create an account on the page, deactivate it (its tokens stop working), reactivate."""

from __future__ import annotations

from tests.service.conftest import World


def test_create_deactivate_and_reactivate_a_user(web_world: World) -> None:
    w = web_world
    c = w.client
    c.cookies.set("apprights_session", w.tokens["ministry"])
    bad = c.post("/users", data={"username": "bad name!", "role": "store"})
    assert bad.status_code == 422 and "输入有误" in bad.text
    unbound = c.post("/users", data={"username": "store2", "role": "store"})
    assert unbound.status_code == 422 and "store_id" in unbound.text
    weak = c.post(
        "/users",
        data={"username": "fj-reviewer", "role": "province", "binding": "35", "password": "long-enough-pw"},
    )
    assert weak.status_code == 422 and "use three of upper case" in weak.text  # the service's password policy
    r = c.post(
        "/users",
        data={
            "username": "fj-reviewer",
            "role": "province",
            "binding": "35",
            "password": "Quiet-River-2026!",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    users = {u["username"]: u for u in w.ok("ministry", "GET", "/api/v1/users?limit=100")["items"]}
    assert users["fj-reviewer"]["province_code"] == "35"
    store_id = users["store"]["id"]
    assert w.call("store", "GET", "/api/v1/me").status_code == 200
    assert (
        c.post(f"/users/{store_id}/active", data={"active": "0"}, follow_redirects=False).status_code == 303
    )
    assert w.call("store", "GET", "/api/v1/me").status_code == 401  # its token is revoked
    assert not {u["username"]: u for u in w.ok("ministry", "GET", "/api/v1/users?limit=100")["items"]}[
        "store"
    ]["active"]
    c.post(f"/users/{store_id}/active", data={"active": "1"})
    assert {u["username"]: u for u in w.ok("ministry", "GET", "/api/v1/users?limit=100")["items"]}["store"][
        "active"
    ]
    me = w.ok("ministry", "GET", "/api/v1/me")["id"]
    own = c.post(f"/users/{me}/active", data={"active": "0"})
    assert own.status_code == 409 and 'id="back"' in own.text
    c.cookies.set("apprights_session", w.tokens["province"])
    assert c.post(f"/users/{store_id}/active", data={"active": "0"}).status_code == 403
    c.cookies.clear()
