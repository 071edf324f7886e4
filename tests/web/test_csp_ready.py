"""The pages work under a strict Content-Security-Policy (the service is getting one): no inline scripts, event
handlers or styles in the templates, and in chromium the dashboard charts draw with ``default-src 'self'``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from apprights.web.render import TEMPLATES
from tests.service.conftest import World
from tests.web.browser import browser_for, login, make_login
from tests.web.conftest import seed_findings

POLICY = b"default-src 'self'; img-src 'self' data:"
INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|<style", re.IGNORECASE)


def test_templates_have_no_inline_script_handler_or_style() -> None:
    bad = [
        f"{p.name}: {m.group(0)}"
        for p in sorted(Path(TEMPLATES).glob("*.html"))
        for m in INLINE.finditer(p.read_text("utf-8"))
    ]
    assert bad == []


@pytest.mark.browser
def test_dashboard_charts_draw_under_a_strict_csp(web_world: World) -> None:
    w = web_world
    seed_findings(w, 5)

    inner = w.client.app

    async def with_csp(scope: Any, receive: Any, send: Any) -> None:
        async def send_csp(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), (b"content-security-policy", POLICY)]
                message = {**message, "headers": headers}
            await send(message)

        await inner(scope, receive, send_csp)

    name = make_login(w, "ministry")
    with browser_for(w, with_csp) as (browser, url):
        page = login(browser, url, name)
        violations: list[str] = []
        page.on(
            "console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None
        )
        page.goto(url + "/")
        page.wait_for_selector("#chart-types[data-rendered='10']")
        page.wait_for_selector("#chart-trend canvas")
        # htmx: choosing a filter reloads only the queue, and the URL follows
        page.goto(url + "/findings")
        page.evaluate("window.marker = 1")  # survives only if the page is not reloaded
        page.select_option("#filter-type", "3")
        page.wait_for_url("**problem_type=3**")
        page.wait_for_function("document.querySelectorAll('#findings tr[id^=finding-]').length === 1")
        assert page.evaluate("window.marker") == 1
        assert page.inner_text("#total") == "1"
        page.check("#select-all")
        assert page.is_checked("#findings input.pick")
        assert violations == []
