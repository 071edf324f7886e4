"""Screenshots of every console page, per role, into a folder for review (``make screenshots``).

    .venv/bin/python tools/screenshots.py [--out build/screenshots] [--chromium /usr/bin/chromium]

Seeds a demonstration service (tools/web_demo.py), serves it locally, logs in as each role through the login
form and visits every page of the role's menu plus the detail pages they link to first (a case, an app, a
notice), writing ``<role>-<page>.png`` (full page, 1366 px wide). Offline; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from web_demo import PASSWORD, Server, make_app, seed

ROLES = ("ministry", "province", "agency", "enterprise", "store")
DETAILS = ("/cases/", "/apps/", "/notices/", "/public/notices/")  # first link of each kind gets a screenshot


def _password_page(page: Any, url: str, names: dict[str, str], out: Path) -> int:
    page.goto(url + "/password")
    page.screenshot(path=str(out / f"{names['_role']}-password.png"), full_page=True)
    return 1


def _reset_password(page: Any, url: str, names: dict[str, str], out: Path) -> int:
    """The users page right after a password reset: the one-time temporary password, shown once."""
    page.goto(url + "/users")
    page.click(f"#reset-password-{names['reset_user']}")
    page.wait_for_selector("#temporary-password")
    page.screenshot(path=str(out / "ministry-users-reset.png"), full_page=True)
    return 1


def _campaign_filters(page: Any, url: str, names: dict[str, str], out: Path) -> int:
    """The review queue and the dashboard filtered by the first campaign."""
    first = page.get_attribute("#campaigns tr[id^='campaign-']", "id") or ""
    cid = first.rsplit("-", 1)[-1]
    for path, name in (
        (f"/findings?campaign={cid}", "findings-campaign"),
        (f"/?campaign={cid}", "dashboard-campaign"),
    ):
        page.goto(url + path)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(out / f"{names['_role']}-{name}.png"), full_page=True)
    return 2


def _campaigns_then_filters(page: Any, url: str, names: dict[str, str], out: Path) -> int:
    page.goto(url + "/campaigns")
    return _campaign_filters(page, url, names, out)


# Pages no menu links to, per role: (page, base url, names, out dir) → screenshots written.
EXTRAS: dict[str, tuple[Callable[[Any, str, dict[str, str], Path], int], ...]] = {
    "ministry": (_campaigns_then_filters, _password_page, _reset_password),
    "enterprise": (_password_page,),
}


def slug(path: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")
    return s or "home"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("build/screenshots"))
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    args = ap.parse_args(argv)
    if not Path(args.chromium).exists():
        print(
            f"screenshots: chromium not found at {args.chromium} (make system-deps installs it)",
            file=sys.stderr,
        )
        return 2
    from fastapi.testclient import TestClient
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    shots = 0
    with tempfile.TemporaryDirectory() as tmp:
        app, clock = make_app(Path(tmp))
        with TestClient(app) as client:
            names = seed(client, clock)
            with Server(app) as server, sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=args.chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
                )
                public = browser.new_page(viewport={"width": 1366, "height": 800})
                for path in ("/public/notices", "/public/complaint", "/login"):
                    public.goto(server.url + path)
                    public.screenshot(path=str(args.out / f"public-{slug(path)}.png"), full_page=True)
                    shots += 1
                for role in ROLES:
                    page = browser.new_context(viewport={"width": 1366, "height": 800}).new_page()
                    page.goto(server.url + "/login")
                    page.fill("#username", names[role])
                    page.fill("#password", PASSWORD)
                    page.click("#login")
                    page.wait_for_url(server.url + "/")
                    menu = [
                        urlsplit(h).path
                        for h in page.eval_on_selector_all("#menu a", "e => e.map(a => a.href)")
                    ]
                    names["_role"] = role
                    details: dict[str, str] = {}
                    listed: set[str] = set()
                    for path in menu:
                        page.goto(server.url + path)
                        page.wait_for_load_state("networkidle")
                        page.screenshot(path=str(args.out / f"{role}-{slug(path)}.png"), full_page=True)
                        shots += 1
                        for h in page.eval_on_selector_all("main a[href]", "e => e.map(a => a.href)"):
                            p = urlsplit(h).path
                            for kind in DETAILS:
                                if not (p.startswith(kind) and p[len(kind) :].isdigit()):
                                    continue
                                # the list page's own first row (newest) beats a link found elsewhere
                                if kind not in details or (path == kind[:-1] and kind not in listed):
                                    details[kind] = p
                                    if path == kind[:-1]:
                                        listed.add(kind)
                    if role == "ministry" and "showcase_case" in names:
                        details["evidence"] = f"/cases/{names['showcase_case']}"
                    if role in ("ministry", "enterprise") and "response_case" in names:
                        details["response"] = f"/cases/{names['response_case']}"  # the response and its files
                    for kind, path in details.items():
                        page.goto(server.url + path)
                        page.screenshot(
                            path=str(
                                args.out
                                / f"{role}-{slug(kind if kind in ('evidence', 'response') else path.rstrip('0123456789'))}-detail.png"
                            ),
                            full_page=True,
                        )
                        shots += 1
                    for extra in EXTRAS.get(role, ()):
                        shots += extra(page, server.url, names, args.out)
                    page.context.close()
                browser.close()
    print(f"screenshots: {shots} pages written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
