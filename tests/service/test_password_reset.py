"""The ministry's password reset (``users.service.reset_password``) on SQLite and PostgreSQL: a one-time
temporary password that passes the policy, every token of the account revoked, the account shut out of
everything but the password change until it changes it, audited without the password."""

from __future__ import annotations

import re

from apprights.service import audit
from apprights.service.deps import MUST_CHANGE
from apprights.service.users import policy
from apprights.service.users.service import temporary_password
from tests.service.conftest import World

OLD = "Quiet-River-2026!"
NEW = "Misty-Harbour-2027?"


def test_temporary_passwords_pass_the_policy_and_differ() -> None:
    seen = {temporary_password("fj-reviewer") for _ in range(50)}
    assert len(seen) == 50
    assert all(policy.password_problem(p, "fj-reviewer") is None for p in seen)


def test_reset_forces_a_change_and_revokes_every_token(world: World) -> None:
    w = world
    user = w.ok(
        "ministry",
        "POST",
        "/api/v1/users",
        json={"username": "fj-reviewer", "password": OLD, "role": "province", "province_code": "35"},
    )
    session = w.ok("public", "POST", "/api/v1/auth/login", json={"username": "fj-reviewer", "password": OLD})
    w.client.cookies.clear()  # the login's cookie would stand in for the public caller below
    api = w.ok("ministry", "POST", f"/api/v1/users/{user['id']}/tokens", json={"name": "ci"})
    for tok in (session["token"], api["token"]):
        assert w.client.get("/api/v1/me", headers={"Authorization": f"Bearer {tok}"}).status_code == 200

    assert w.call("province", "POST", f"/api/v1/users/{user['id']}/password-reset").status_code == 403
    temp = w.ok("ministry", "POST", f"/api/v1/users/{user['id']}/password-reset")["temporary_password"]
    assert policy.password_problem(temp, "fj-reviewer") is None
    for tok in (session["token"], api["token"]):  # every session and API token is revoked
        assert w.client.get("/api/v1/me", headers={"Authorization": f"Bearer {tok}"}).status_code == 401
    login = {"username": "fj-reviewer", "password": OLD}
    assert w.call("public", "POST", "/api/v1/auth/login", json=login).status_code == 401
    tok = w.ok("public", "POST", "/api/v1/auth/login", json={"username": "fj-reviewer", "password": temp})[
        "token"
    ]
    h = {"Authorization": f"Bearer {tok}"}
    me = w.client.get("/api/v1/me", headers=h).json()
    assert me["must_change_password"] is True
    refused = w.client.get("/api/v1/cases", headers=h)
    assert refused.status_code == 403 and refused.json()["detail"] == MUST_CHANGE
    r = w.client.post("/api/v1/me/password", headers=h, json={"current": temp, "new": NEW})
    assert r.status_code == 204, r.text
    assert w.client.get("/api/v1/cases", headers=h).status_code == 200
    assert w.client.get("/api/v1/me", headers=h).json()["must_change_password"] is False

    with w.client.app.state.sessionmaker() as db:
        trail = audit.trail(db, "user", user["id"])
        actions = [a.action for a in trail]
        written = " ".join(f"{a.reason} {a.evidence}" for a in trail)
    assert "reset_password" in actions and "change_password" in actions
    assert temp not in written and NEW not in written  # passwords are never written down
    me_id = w.ok("ministry", "GET", "/api/v1/me")["id"]
    assert w.call("ministry", "POST", f"/api/v1/users/{me_id}/password-reset").status_code == 409
    assert w.call("ministry", "POST", "/api/v1/users/999999/password-reset").status_code == 404
    assert re.fullmatch(r"[A-Za-z0-9_-]{20}", temp)
