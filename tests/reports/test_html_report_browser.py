"""The HTML report in a real browser (Debian chromium driven by Playwright): renders, toggles languages."""

import shutil
from pathlib import Path

import pytest

from apprights.engine.scan import ScanRequest, scan
from apprights.reports.html_report import render_html

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory, knowledge) -> Path:  # type: ignore[no-untyped-def]
    rep = scan(ScanRequest(listings=[REPO / "samples" / "listing-news.json"]), knowledge).report
    rep["findings"][0]["evidence"][0]["app_name"] = "<script>window.pwned=1</script>"
    out = tmp_path_factory.mktemp("html") / "report.html"
    out.write_text(render_html(rep), encoding="utf-8")
    return out


def test_report_renders_and_toggles_language(report_file: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (scripts/system-deps.sh installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        page = browser.new_page()
        page.goto(report_file.as_uri())
        assert "检测报告" in page.title()
        zh = page.locator("h3 .zh").first
        en = page.locator("h3 .en").first
        assert zh.is_visible() and en.is_visible()
        page.get_by_role("radio", name="English", exact=True).check()
        assert not zh.is_visible() and en.is_visible()
        page.get_by_role("radio", name="中文", exact=True).check()
        assert zh.is_visible() and not en.is_visible()
        # hostile text from an input is shown as text, never run
        assert page.evaluate("window.pwned") is None
        assert page.get_by_text("<script>window.pwned=1</script>").count() >= 1
        page.screenshot(path=str(report_file.with_suffix(".png")), full_page=True)
        browser.close()
