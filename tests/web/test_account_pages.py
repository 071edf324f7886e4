"""Passwords on pages (``apprights.web.account_pages``, the reset on ``admin_pages``): a user changes their
own password (old + new, the policy, every other session revoked, this one kept); the ministry resets another
account's password to a temporary one shown once, which must be changed at the next login (every page leads
to the change form until then); and in chromium, the whole round trip."""

from __future__ import annotations

import re

import pytest

from apprights.service import audit
from tests.service.conftest import World
from tests.web.browser import PASSWORD, browser_for, login, make_login

NEW = "Misty-Harbour-2027?"


def _login(w: World, username: str, password: str) -> str:
    r = w.client.post("/login", data={"username": username, "password": password}, follow_redirects=False)
    assert r.status_code == 303, r.text
    token: str = r.cookies["apprights_session"]
    w.client.cookies.clear()
    return token


def test_change_own_password_on_the_page(web_world: World) -> None:
    w = web_world
    name = make_login(w, "enterprise")
    other = _login(w, name, PASSWORD)
    mine = _login(w, name, PASSWORD)
    c = w.client
    c.cookies.set("apprights_session", mine)
    page = c.get("/password")
    assert (
        page.status_code == 200 and 'id="password-form"' in page.text and 'id="must-change"' not in page.text
    )
    form = {"current": PASSWORD, "new": NEW, "confirm": NEW}
    wrong = c.post("/password", data={**form, "current": "not-my-password"})
    assert wrong.status_code == 403 and "当前密码错误" in wrong.text
    differ = c.post("/password", data={**form, "confirm": NEW + "x"})
    assert differ.status_code == 422 and "不一致" in differ.text
    weak = c.post("/password", data={**form, "new": "short", "confirm": "short"})
    assert weak.status_code == 422 and "密码至少12位" in weak.text
    c.cookies.set("apprights_lang", "en")
    weak = c.post("/password", data={**form, "new": "short", "confirm": "short"})
    assert "a password has at least 12 characters" in weak.text and "密码至少" not in weak.text
    c.cookies.delete("apprights_lang")
    r = c.post("/password", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/password?done=1"
    assert 'id="password-changed"' in c.get("/password?done=1").text
    assert c.get("/my-notices").status_code == 200  # this session stays
    c.cookies.set("apprights_session", other)
    assert (
        c.get("/my-notices", follow_redirects=False).headers["location"] == "/login"
    )  # the other is revoked
    c.cookies.clear()
    assert c.post("/login", data={"username": name, "password": PASSWORD}).status_code == 401
    _login(w, name, NEW)
    anonymous = c.get("/password", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login"


def test_ministry_resets_a_password_which_must_be_changed(web_world: World) -> None:
    w = web_world
    name = make_login(w, "enterprise")
    old_session = _login(w, name, PASSWORD)
    users = {u["username"]: u for u in w.ok("ministry", "GET", "/api/v1/users?limit=100")["items"]}
    uid = users[name]["id"]
    c = w.client
    c.cookies.set("apprights_session", w.tokens["ministry"])
    assert f'id="reset-password-{uid}"' in c.get("/users").text
    r = c.post(f"/users/{uid}/password-reset")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    m = re.search(r'<code id="temporary-password">([^<]+)</code>', r.text)
    assert m is not None
    temp = m.group(1)
    assert temp not in c.get("/users").text  # shown once
    assert "待改密码" in c.get("/users").text
    me_id = w.ok("ministry", "GET", "/api/v1/me")["id"]
    assert c.post(f"/users/{me_id}/password-reset").status_code == 409
    c.cookies.set("apprights_session", old_session)
    assert c.get("/my-notices", follow_redirects=False).headers["location"] == "/login"  # revoked
    c.cookies.clear()
    assert c.post("/login", data={"username": name, "password": PASSWORD}).status_code == 401
    c.cookies.set("apprights_session", _login(w, name, temp))
    for path in ("/", "/my-notices", "/cases", "/self-checks"):
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/password", path
    page = c.get("/password").text
    assert 'id="must-change"' in page and 'href="/my-notices"' not in page  # no menu until it is changed
    assert c.get("/api/v1/cases").status_code == 403
    r = c.post("/password", data={"current": temp, "new": NEW, "confirm": NEW}, follow_redirects=False)
    assert r.status_code == 303
    assert c.get("/my-notices").status_code == 200 and c.get("/api/v1/cases").status_code == 200
    c.cookies.clear()
    with w.client.app.state.sessionmaker() as db:
        actions = [a.action for a in audit.trail(db, "user", uid)]
    assert actions.count("reset_password") == 1 and actions.count("change_password") == 1
    # only the ministry resets passwords
    c.cookies.set("apprights_session", w.tokens["province"])
    assert c.post(f"/users/{uid}/password-reset").status_code == 403
    c.cookies.clear()


@pytest.mark.browser
def test_reset_and_forced_change_in_the_browser(web_world: World) -> None:
    w = web_world
    names = {r: make_login(w, r) for r in ("ministry", "enterprise")}
    uid = {u["username"]: u for u in w.ok("ministry", "GET", "/api/v1/users?limit=100")["items"]}[
        names["enterprise"]
    ]["id"]
    with browser_for(w) as (browser, url):
        ministry = login(browser, url, names["ministry"])
        ministry.click("#menu >> text=用户管理")
        ministry.click(f"#reset-password-{uid}")
        ministry.wait_for_selector("#temporary-password")
        temp = ministry.inner_text("#temporary-password").strip()

        page = browser.new_context().new_page()
        page.goto(url + "/login")
        page.fill("#username", names["enterprise"])
        page.fill("#password", temp)
        page.click("#login")
        page.wait_for_url(url + "/password")
        assert "管理员已重置您的密码" in page.inner_text("#must-change")
        page.fill("#current-password", temp)
        page.fill("#new-password", NEW)
        page.fill("#confirm-password", NEW)
        page.click("#change-password")
        page.wait_for_url(url + "/password?done=1")
        page.click("#menu >> text=整改通知")
        page.wait_for_url(url + "/my-notices")

        again = login(browser, url, names["enterprise"], NEW)  # the new password works for a new login
        assert again.url == url + "/"
