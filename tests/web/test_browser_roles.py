"""In chromium: every role logs in through the form and opens every page reachable from its menu (and the
links on those pages): no page shows raw JSON, none answers 5xx, every menu link opens."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.service.conftest import World
from tests.web.browser import browser_for, login, make_login
from tests.web.conftest import ROLES, seed_everything

SKIP = ("/api/", "/lang/", "/static/", "/scans/")  # downloads and switches, not pages


def _links(page: object, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href]", "els => els.map(e => e.href)")  # type: ignore[attr-defined]
    out = []
    for h in hrefs:
        parts = urlsplit(h)
        if h.startswith(base) and not parts.path.startswith(SKIP):
            out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


@pytest.mark.browser
def test_every_role_visits_every_page_from_its_menu(web_world: World) -> None:
    w = web_world
    seed_everything(w)
    names = {role: make_login(w, role) for role in ROLES if role != "ministry"}
    names["ministry"] = make_login(w, "ministry")
    visited = 0
    problems: list[tuple[str, str, str]] = []
    with browser_for(w) as (browser, url):
        for role in ROLES:
            page = login(browser, url, names[role])
            menu = [
                urlsplit(h).path for h in page.eval_on_selector_all("#menu a", "els => els.map(e => e.href)")
            ]
            assert menu, role
            queue, seen = list(menu), set()
            while queue and len(seen) < 40:
                path = queue.pop(0)
                if path in seen:
                    continue
                seen.add(path)
                resp = page.goto(url + path)
                visited += 1
                body = page.inner_text("body").strip()
                ctype = resp.headers.get("content-type", "")
                if resp.status >= 500:
                    problems.append((role, path, f"HTTP {resp.status}"))
                elif "json" in ctype or body.startswith(("{", "[")):
                    problems.append((role, path, "raw JSON"))
                elif path in menu and resp.status != 200:
                    problems.append((role, path, f"menu link answers {resp.status}"))
                if path in menu:
                    queue += _links(page, url)
            page.context.close()
    assert problems == []
    assert visited >= 40
