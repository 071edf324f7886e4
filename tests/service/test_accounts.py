"""Accounts: deactivation, expiring and revocable tokens, login throttling with lock-out, equal answers and
timing for unknown users, the password policy. SQLite and PostgreSQL."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import pytest

from apprights.service.users.policy import MAX_FAILURES, password_problem
from tests.service.conftest import World

GOOD = "Tr0ub4dor&3x-fj"


def _account(w: World, username: str = "zhang.san", password: str = GOOD) -> int:
    body = {"username": username, "password": password, "role": "province", "province_code": "35"}
    return int(w.ok("ministry", "POST", "/api/v1/users", json=body)["id"])


def _login(w: World, username: str, password: str) -> object:
    r = w.client.post("/api/v1/auth/login", json={"username": username, "password": password})
    w.client.cookies.clear()
    return r


def test_deactivated_user_loses_every_token_and_cannot_log_in(world: World) -> None:
    w = world
    uid = _account(w)
    session_token = _login(w, "zhang.san", GOOD).json()["token"]  # type: ignore[attr-defined]
    api_token = w.ok("ministry", "POST", f"/api/v1/users/{uid}/tokens", json={"name": "ci"})["token"]
    for tok in (session_token, api_token):
        assert w.client.get("/api/v1/me", headers={"Authorization": f"Bearer {tok}"}).status_code == 200
    out = w.ok("ministry", "POST", f"/api/v1/users/{uid}/deactivate")
    assert out["active"] is False
    for tok in (session_token, api_token):
        assert w.client.get("/api/v1/me", headers={"Authorization": f"Bearer {tok}"}).status_code == 401
    r = _login(w, "zhang.san", GOOD)
    assert r.status_code == 401 and "wrong username or password" in r.text  # type: ignore[attr-defined]
    assert w.call("ministry", "POST", f"/api/v1/users/{uid}/tokens", json={}).status_code == 409
    assert all(t["revoked"] for t in w.ok("ministry", "GET", f"/api/v1/users/{uid}/tokens"))
    me = w.ok("ministry", "GET", "/api/v1/me")["id"]
    assert w.call("ministry", "POST", f"/api/v1/users/{me}/deactivate").status_code == 409
    assert w.call("province", "POST", f"/api/v1/users/{uid}/deactivate").status_code == 403


def test_api_tokens_expire_and_can_be_revoked(world: World) -> None:
    w = world
    uid = _account(w)
    short = w.ok("ministry", "POST", f"/api/v1/users/{uid}/tokens", json={"name": "short", "days": 1})
    assert short["expires_at"] is not None
    default = w.ok("ministry", "POST", f"/api/v1/users/{uid}/tokens", json={"name": "default"})
    assert default["expires_at"] is not None  # no token lives for ever
    h = {"Authorization": f"Bearer {short['token']}"}
    assert w.client.get("/api/v1/me", headers=h).status_code == 200
    w.clock.now += timedelta(days=2)
    assert w.client.get("/api/v1/me", headers=h).status_code == 401
    hd = {"Authorization": f"Bearer {default['token']}"}
    assert w.client.get("/api/v1/me", headers=hd).status_code == 200
    tokens = w.ok("ministry", "GET", f"/api/v1/users/{uid}/tokens")
    assert "token" not in tokens[0] and {t["name"] for t in tokens} == {"short", "default"}
    tid = next(t["id"] for t in tokens if t["name"] == "default")
    assert w.call("ministry", "DELETE", f"/api/v1/users/{uid + 1}/tokens/{tid}").status_code == 404
    assert w.call("ministry", "DELETE", f"/api/v1/users/{uid}/tokens/{tid}").status_code == 204
    assert w.client.get("/api/v1/me", headers=hd).status_code == 401
    w.clock.now += timedelta(days=400)  # the ministry's own test token expired too
    assert w.call("ministry", "GET", "/api/v1/me").status_code == 401


def test_login_lockout_after_repeated_failures(world: World) -> None:
    w = world
    _account(w)
    for _ in range(MAX_FAILURES):
        assert _login(w, "zhang.san", "wrong password!").status_code == 401  # type: ignore[attr-defined]
    locked = _login(w, "zhang.san", GOOD)  # even the right password, while locked
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0  # type: ignore[attr-defined]
    assert "too many failed logins" in locked.text  # type: ignore[attr-defined]
    w.clock.now += timedelta(minutes=16)
    assert _login(w, "zhang.san", GOOD).status_code == 200  # type: ignore[attr-defined]
    # a success resets the count: one more failure does not lock
    assert _login(w, "zhang.san", "wrong password!").status_code == 401  # type: ignore[attr-defined]
    assert _login(w, "zhang.san", GOOD).status_code == 200  # type: ignore[attr-defined]


def test_unknown_users_get_the_same_answers(world: World) -> None:
    w = world
    _account(w)
    known = _login(w, "zhang.san", "wrong password!")
    unknown = _login(w, "nobody.here", "wrong password!")
    assert known.status_code == unknown.status_code == 401  # type: ignore[attr-defined]
    assert known.json() == unknown.json()  # type: ignore[attr-defined]
    for _ in range(MAX_FAILURES - 1):
        _login(w, "nobody.here", "wrong password!")
    assert _login(w, "nobody.here", "x").status_code == 429  # type: ignore[attr-defined]


def test_unknown_users_take_as_long_as_a_wrong_password(world: World) -> None:
    w = world
    _account(w)

    def median_seconds(username: str) -> float:
        times = []
        for i in range(3):
            t0 = time.perf_counter()
            _login(w, username, f"wrong password {i}")
            times.append(time.perf_counter() - t0)
            w.clock.now += timedelta(minutes=20)  # stay below the lock-out
        return statistics.median(times)

    wrong = median_seconds("zhang.san")
    unknown = median_seconds("nobody.here")
    # without the dummy scrypt an unknown user answers ~50x faster; allow a loaded machine's noise
    assert unknown > 0.4 * wrong, (unknown, wrong)


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Sh0rt!", "at least 12"),
        ("abcdefghijkl", "three of upper case"),
        ("password1234", "three of upper case"),
        ("Zhang.San-2026!", "contains the username"),
        ("aaaaaaaaaaaaaaaaaaaa", "too common"),
    ],
)
def test_password_policy_refuses(world: World, password: str, why: str) -> None:
    w = world
    body = {"username": "zhang.san", "password": password, "role": "province", "province_code": "35"}
    r = w.call("ministry", "POST", "/api/v1/users", json=body)
    assert r.status_code == 422 and why in r.text


def test_password_policy_accepts() -> None:
    assert password_problem(GOOD) is None
    assert password_problem("correct horse battery staple") is None  # a long passphrase
    assert password_problem("Admin1234567", "admin") is not None


def test_change_password_applies_the_policy_and_ends_other_sessions(world: World) -> None:
    w = world
    _account(w)
    first = _login(w, "zhang.san", GOOD).json()["token"]  # type: ignore[attr-defined]
    second = _login(w, "zhang.san", GOOD).json()["token"]  # type: ignore[attr-defined]
    h = {"Authorization": f"Bearer {second}"}
    url = "/api/v1/me/password"
    r = w.client.post(url, json={"current": "not it at all", "new": "N3w-Passw0rd!x"}, headers=h)
    assert r.status_code == 403 and "current password is wrong" in r.text
    r = w.client.post(url, json={"current": GOOD, "new": "short"}, headers=h)
    assert r.status_code == 422 and "at least 12" in r.text
    r = w.client.post(url, json={"current": GOOD, "new": "N3w-Passw0rd!x"}, headers=h)
    assert r.status_code == 204
    assert w.client.get("/api/v1/me", headers=h).status_code == 200  # the session that changed it stays
    assert w.client.get("/api/v1/me", headers={"Authorization": f"Bearer {first}"}).status_code == 401
    assert _login(w, "zhang.san", GOOD).status_code == 401  # type: ignore[attr-defined]
    assert _login(w, "zhang.san", "N3w-Passw0rd!x").status_code == 200  # type: ignore[attr-defined]
