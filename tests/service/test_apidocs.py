"""``/docs`` works offline: Swagger UI comes from the package, renders the API in a real browser with no request
leaving loopback and no CSP violation; ReDoc (CDN only) is not offered. Nothing here touches the database:
SQLite only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from apprights.service.apidocs import ASSETS
from tests.service.conftest import World

CHROMIUM = "/usr/bin/chromium"


def test_docs_page_points_at_packaged_assets_only(sqlite_world: World) -> None:
    c = sqlite_world.client
    page = c.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "http" not in page.text.replace("http-equiv", "")
    assert "<script>" not in page.text  # no inline script: the CSP says script-src 'self'
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "init.js"):
        r = c.get(f"/docs/assets/{asset}")
        assert r.status_code == 200 and r.content == (ASSETS / asset).read_bytes()
    assert c.get("/redoc").status_code == 404
    assert c.get("/docs/oauth2-redirect").status_code == 404
    assert (ASSETS / "LICENSE.txt").exists() and "swagger-ui" in (
        Path(__file__).resolve().parents[2] / "NOTICE"
    ).read_text(encoding="utf-8")


@pytest.mark.browser
def test_docs_render_offline_in_a_browser(sqlite_world: World) -> None:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"chromium not installed at {CHROMIUM}")
    sync_api = pytest.importorskip("playwright.sync_api")
    from apprights.testing.server import serve_in_thread

    outside: list[str] = []
    csp: list[str] = []
    with serve_in_thread(sqlite_world.client.app) as url, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page()

            def guard(route, request) -> None:  # type: ignore[no-untyped-def]
                if request.url.startswith(url):
                    route.continue_()
                else:
                    outside.append(request.url)
                    route.abort()

            page.route("**/*", guard)
            page.on(
                "console",
                lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None,
            )
            page.goto(url + "/docs")
            page.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
            assert "apprights" in page.locator(".swagger-ui .info .title").inner_text()
            page.wait_for_selector('.opblock-summary-path[data-path="/api/v1/cases"]', timeout=30_000)
        finally:
            browser.close()
    assert not outside, outside
    assert not csp, csp
