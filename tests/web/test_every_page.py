"""Every page route, visited by every role: never raw JSON, never a 5xx; refusals are pages with a way back."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute

from apprights.web.render import MENU
from tests.service.conftest import World
from tests.web.conftest import ROLES, seed_everything

DOWNLOADS = {"/scans/{scan_run_id}/report"}  # a JSON report as an attachment, on purpose


def _routes(routes: list[object], prefix: str = "") -> list[tuple[str, APIRoute]]:
    out: list[tuple[str, APIRoute]] = []
    for r in routes:
        if isinstance(r, APIRoute):
            out.append((prefix + r.path, r))
        elif hasattr(r, "original_router"):  # FastAPI >= 0.16x keeps an included router as one route
            inner = r.original_router
            out += _routes(inner.routes, prefix + r.include_context.prefix + inner.prefix)
    return out


def page_routes(app: object) -> list[str]:
    return sorted(
        path
        for path, r in _routes(app.routes)  # type: ignore[attr-defined]
        if "GET" in r.methods and not path.startswith(("/api/", "/lang"))
    )


def fill(path: str, ids: dict[str, int]) -> str:
    values = {
        "app_id": ids["app"],
        "case_id": ids["case"],
        "notice_id": ids["notice"],
        "self_check_id": 1,
        "scan_run_id": 1,
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), 1)), path)


def visit_all(w: World, ids: dict[str, int]) -> list[tuple[str, str, int, str]]:
    """(role, url, status, problem) for every page visit that shows raw JSON or a 5xx."""
    bad = []
    c = w.client
    for role in (*ROLES, "anonymous"):
        c.cookies.clear()
        if role != "anonymous":
            c.cookies.set("apprights_session", w.tokens[role])
        for route in page_routes(c.app):
            url = fill(route, ids)
            r = c.get(url, headers={"referer": "http://testserver/"})
            ctype = r.headers.get("content-type", "")
            if r.status_code >= 500:
                bad.append((role, url, r.status_code, "5xx"))
            elif route in DOWNLOADS and r.status_code == 200 and "json" in ctype:
                assert "attachment" in r.headers["content-disposition"]
            elif "json" in ctype or r.text.lstrip().startswith(("{", "[")):
                bad.append((role, url, r.status_code, "raw JSON"))
            elif r.status_code >= 400 and 'id="back"' not in r.text:
                bad.append((role, url, r.status_code, "error without a way back"))
    c.cookies.clear()
    return bad


def test_no_page_shows_raw_json_or_a_5xx(web_world: World) -> None:
    w = web_world
    ids = {**seed_everything(w), "app": w.ids["app"]}
    assert len(page_routes(w.client.app)) >= 20
    assert visit_all(w, ids) == []


def test_refusal_is_a_page_in_the_users_language(web_world: World) -> None:
    c = web_world.client
    c.cookies.set("apprights_session", web_world.tokens["store"])
    r = c.get("/findings", headers={"referer": "http://testserver/removal-orders"})
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
    assert "无权访问" in r.text and 'href="/removal-orders"' in r.text  # back where the user came from
    c.get("/lang/en?next=/findings", follow_redirects=False)
    c.cookies.set("apprights_session", web_world.tokens["ministry"])
    r = c.get("/cases/999999")
    assert r.status_code == 404 and "Not found" in r.text and "不存在" not in r.text
    assert '<html lang="en">' in r.text
    c.get("/lang/zh", follow_redirects=False)
    r = c.get("/no-such-page")
    assert r.status_code == 404 and "页面或记录不存在" in r.text
    r = c.get("/apps/abc")  # a validation error on a page path
    assert r.status_code == 422 and "输入有误" in r.text
    # API routes keep JSON
    r = web_world.call("store", "GET", "/api/v1/findings")
    assert r.status_code == 403 and r.json()["detail"]
    assert c.get("/api/v1/no-such").headers["content-type"].startswith("application/json")
    c.cookies.clear()


def test_menus_show_only_what_the_role_can_open(web_world: World) -> None:
    w = web_world
    seed_everything(w)
    c = w.client
    for role in ROLES:
        c.cookies.clear()
        c.cookies.set("apprights_session", w.tokens[role])
        home = c.get("/").text
        nav = home.split('<nav id="menu">', 1)[1].split("</nav>", 1)[0]
        links = re.findall(r'href="([^"]+)"', nav)
        assert links == [m.href for m in MENU if role in {str(r) for r in m.roles}], role
        for href in links:
            assert c.get(href).status_code == 200, (role, href)
        hidden = [m.href for m in MENU if m.href not in links]
        assert all(c.get(h).status_code in (403, 404) for h in hidden if not h.startswith("/public/")), role
    c.cookies.clear()


def test_english_switch_changes_menus_and_headings(web_world: World) -> None:
    c = web_world.client
    c.cookies.set("apprights_session", web_world.tokens["ministry"])
    zh = c.get("/cases").text
    assert '<h1>案件 <span class="en">Cases</span></h1>' in zh and '<html lang="zh-CN">' in zh
    r = c.get("/lang/en?next=/cases", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/cases"
    en = c.get("/cases").text
    assert "<h1>Cases</h1>" in en and ">Findings review</a>" in en and "问题审核" not in en
    assert c.get("/lang/en?next=//evil.example", follow_redirects=False).headers["location"] == "/"
    c.cookies.clear()
