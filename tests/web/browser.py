"""Playwright helpers: Debian chromium, a served app, a login through the form."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.service.conftest import World

CHROMIUM = os.environ.get("APPRIGHTS_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
PASSWORD = "browser-pass-123"


@contextmanager
def browser_for(w: World, app: Any = None) -> Iterator[tuple[Any, str]]:
    """(chromium browser, base url) with the world's app (or ``app`` wrapping it) served by uvicorn."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"chromium not installed at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    from tests.service.test_walkthrough import Server

    with Server(app or w.client.app) as server, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser, server.url
        finally:
            browser.close()


def make_login(w: World, role: str) -> str:
    """A password account for ``role`` bound like the world's token account; its username."""
    me = w.ok(role, "GET", "/api/v1/me")
    body = {k: me[k] for k in ("role", "province_code", "enterprise_id", "store_id", "agency_id") if me[k]}
    name = f"web-{role}"
    w.ok("ministry", "POST", "/api/v1/users", json={"username": name, "password": PASSWORD, **body})
    return name


def login(browser: Any, url: str, username: str, password: str = PASSWORD) -> Any:
    page = browser.new_context().new_page()
    page.goto(url + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login")
    page.wait_for_url(url + "/")
    return page
