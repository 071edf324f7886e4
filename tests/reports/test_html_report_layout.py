"""The HTML report's layout (issue 12): contents and summary (type × severity × subject) at the top, collapsible
evidence cited once per type, an English mode without Chinese labels or stray separators, no internal values."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from apprights.engine.scan import ScanRequest, scan
from apprights.reports.html_report import render_html

DEMO = Path(__file__).resolve().parents[2] / "samples" / "demo"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def report(knowledge) -> dict:  # type: ignore[no-untyped-def,type-arg]
    req = ScanRequest(
        apk=DEMO / "news-5.2.0.apk",
        policy=DEMO / "policy.html",
        traces=[DEMO / "trace-first-launch.jsonl"],
        category="新闻资讯类",
    )
    return scan(req, knowledge).report


def test_html_structure(report: dict) -> None:  # type: ignore[type-arg]
    html = render_html(report)
    toc, summary, first_finding = (
        html.index('id="toc"'),
        html.index('id="summary"'),
        html.index('class="finding"'),
    )
    assert toc < summary < first_finding
    types = sorted({f["problem_type"] for f in report["findings"]})
    for t in types:
        assert f'href="#t{t}"' in html and f'id="t{t}"' in html
    assert html.count('<details class="evidence"') == len(report["findings"])
    assert "sentence: -1" not in html and "sentence: " in html  # a real sentence index is still shown
    assert "cited above:" in html


def test_html_in_a_browser(report: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (scripts/system-deps.sh installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    out = tmp_path / "report.html"
    out.write_text(render_html(report), encoding="utf-8")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.goto(out.as_uri())
        # the summary counts every finding once, by severity
        total = page.locator("table.summary tr.total td").last.inner_text()
        assert int(total) == len(report["findings"])
        # evidence is collapsed until opened
        first = page.locator("details.evidence").first
        rows = first.locator("tr")
        assert not rows.first.is_visible()
        first.locator("summary").click()
        assert rows.first.is_visible()
        # English only: headings, labels and table heads carry no Chinese and no stray " / "
        page.get_by_role("radio", name="English", exact=True).check()
        for sel in (
            "h1",
            "h2",
            "nav.toc",
            "table.summary th",
            "table.meta td:first-child",
            "details summary",
        ):
            for text in page.locator(sel).all_inner_texts():
                assert not CJK.search(text), (sel, text)
                assert not text.strip().startswith("/") and " / " not in text.replace(
                    "minSdk / targetSdk", ""
                ), (sel, text)
        browser.close()
