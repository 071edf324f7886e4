"""Enterprise self-checks: an APK uploaded, kept by sha256, scanned in a worker process with a time limit, stored as
a self-check scan (never a regulator case) — end to end with samples/demo/news-5.2.0.apk, SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import pytest

from apprights.service.files import blob_path
from tests.service.conftest import World
from tests.service.test_listing_rules import complete

DEMO_APK = Path(__file__).resolve().parents[2] / "samples" / "demo" / "news-5.2.0.apk"
DEMO_PKG = "com.example.news"


def _wait(w: World, sc_id: int, role: str = "enterprise", limit_s: float = 90) -> dict[str, Any]:
    deadline = time.monotonic() + limit_s
    while True:
        sc: dict[str, Any] = w.ok(role, "GET", f"/api/v1/self-checks/{sc_id}")
        if sc["status"] not in ("queued", "running"):
            return sc
        assert time.monotonic() < deadline, sc
        time.sleep(0.2)


def _demo_app(w: World) -> int:
    from apprights.engine.scan import ScanRequest, collect_facts
    from apprights.knowledge import Knowledge

    pkg = collect_facts(ScanRequest(apk=DEMO_APK), Knowledge.load()).package
    app = w.ok(
        "ministry",
        "POST",
        "/api/v1/apps",
        json={"package": pkg, "name": "新闻", "enterprise_id": w.ids["enterprise"]},
    )
    return int(app["id"])


def upload(w: World, app_id: int, data: bytes, role: str = "enterprise") -> Any:
    return w.call(
        role,
        "POST",
        f"/api/v1/self-checks?app_id={app_id}",
        content=data,
        headers={"content-type": "application/vnd.android.package-archive"},
    )


def test_self_check_end_to_end(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    w = world
    app_id = _demo_app(w)
    apk = DEMO_APK.read_bytes()
    with monkeypatch.context() as m:  # the upload itself: streamed to disk, used from there
        _uploads_stay_on_disk(m)
        r = upload(w, app_id, apk)
    assert r.status_code == 202, r.text
    sc = _wait(w, r.json()["id"])
    assert sc["status"] == "done", sc
    # the APK is kept by sha256
    sha = hashlib.sha256(apk).hexdigest()
    assert sc["apk_sha256"] == sha and blob_path(w.settings.data_dir, sha).read_bytes() == apk
    # findings attributed to the app, marked self-check, never pending
    assert sc["findings"], sc
    assert all(f["app_id"] == app_id and f["status"] == "self_check" for f in sc["findings"])
    runs = w.ok("ministry", "GET", f"/api/v1/scans?app_id={app_id}")["items"]
    assert [x["self_check"] for x in runs] == [True]
    # reviewers cannot confirm them: no regulator case
    fid = sc["findings"][0]["id"]
    refused = w.call("ministry", "POST", f"/api/v1/findings/{fid}/review", json={"decision": "confirm"})
    assert refused.status_code == 409 and "self-check" in refused.text
    assert w.ok("ministry", "GET", "/api/v1/findings?status=pending")["total"] == 0
    assert w.ok("ministry", "GET", "/api/v1/cases")["total"] == 0
    # other enterprises do not see it; the ministry does
    assert w.call("enterprise_other", "GET", f"/api/v1/self-checks/{sc['id']}").status_code == 404
    assert w.ok("enterprise_other", "GET", "/api/v1/self-checks")["total"] == 0
    assert w.ok("ministry", "GET", "/api/v1/self-checks")["total"] == 1
    # the service now knows this version's manifest: a listing that differs from the APK is a T9 finding
    pkg = w.ok("ministry", "GET", f"/api/v1/apps/{app_id}")["package"]
    lst = complete(package=pkg, app_name="完全不同的名字", version_name="9.9.9")
    out = w.ok("agency", "POST", "/api/v1/listings", content=json.dumps(lst, ensure_ascii=False).encode())
    got = w.ok("ministry", "GET", "/api/v1/platform-findings?limit=200")["items"]
    mismatch = [
        f for f in got if f["id"] in out["rule_finding_ids"] and f["rule"] == "T9.listing_app_mismatch"
    ]
    assert mismatch and mismatch[0]["status"] == "pending" and mismatch[0]["app_id"] == app_id
    # the page shows the findings and the HTML report
    c = w.client
    c.cookies.clear()
    c.cookies.set("apprights_session", w.tokens["enterprise"])
    page = c.get(f"/self-checks/{sc['id']}")
    assert page.status_code == 200 and sc["findings"][0]["rule"] in page.text
    rep = c.get(f"/self-checks/{sc['id']}/report")
    assert rep.status_code == 200 and rep.headers["content-type"].startswith("text/html")
    assert sc["findings"][0]["title_zh"][:10] in rep.text
    c.cookies.set("apprights_session", w.tokens["enterprise_other"])
    assert c.get(f"/self-checks/{sc['id']}/report").status_code == 404
    c.cookies.clear()


def test_self_check_refusals(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _uploads_stay_on_disk(monkeypatch)
    w = world
    app_id = _demo_app(w)
    # not an APK: kept on disk, refused at once
    r = upload(w, app_id, b"hello, not a zip")
    assert r.status_code == 422
    assert blob_path(w.settings.data_dir, hashlib.sha256(b"hello, not a zip").hexdigest()).exists()
    # another enterprise's app, the ministry, too large
    assert upload(w, app_id, DEMO_APK.read_bytes(), role="enterprise_other").status_code == 404
    assert upload(w, app_id, DEMO_APK.read_bytes(), role="ministry").status_code == 403
    # an APK of another package than the app: failed with the reason, nothing ingested
    r = upload(w, w.ids["app"], DEMO_APK.read_bytes())
    sc = _wait(w, r.json()["id"])
    assert sc["status"] == "failed" and "com.example.shop" in sc["error"] and sc["findings"] == []


@pytest.fixture
def slow_world(db_url: str, tmp_path: Path) -> Any:
    from fastapi.testclient import TestClient

    from apprights.service.app import create_app
    from apprights.service.settings import Settings
    from tests.service.conftest import ADMIN_PASSWORD, Clock, build_world

    settings = Settings(
        db_url=db_url,
        data_dir=tmp_path / "data",
        admin_password=ADMIN_PASSWORD,
        secret_key="k",
        self_check_timeout_s=0.01,
        max_apk_bytes=len(DEMO_APK.read_bytes()) + 10,
    )
    app = create_app(settings, clock=Clock())
    with TestClient(app) as client:
        yield build_world(client, Clock(), dataclasses.replace(settings))


def test_self_check_time_limit_and_size_cap(slow_world: World) -> None:
    w = slow_world
    app_id = _demo_app(w)
    r = upload(w, app_id, DEMO_APK.read_bytes())
    sc = _wait(w, r.json()["id"])
    assert sc["status"] == "failed" and "time limit" in sc["error"], sc
    assert upload(w, app_id, DEMO_APK.read_bytes() + b"x" * 100).status_code == 413


def test_self_check_upload_form(world: World) -> None:
    w = world
    app_id = _demo_app(w)
    c = w.client
    c.cookies.clear()
    c.cookies.set("apprights_session", w.tokens["enterprise"])
    page = c.get("/self-checks")
    assert page.status_code == 200 and 'id="self-check-upload"' in page.text
    r = c.post(
        "/self-checks",
        data={"app_id": str(app_id)},
        files={"apk": ("news.apk", DEMO_APK.read_bytes(), "application/vnd.android.package-archive")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    sc_id = int(r.headers["location"].rsplit("/", 1)[1])
    sc = _wait(w, sc_id)
    assert sc["status"] == "done"
    page = c.get(f"/self-checks/{sc_id}")
    assert 'id="report-link"' in page.text and f'id="finding-{sc["findings"][0]["id"]}"' in page.text
    # another enterprise's app through the form: refused
    r = c.post(
        "/self-checks",
        data={"app_id": str(w.ids["app"] + 1000)},
        files={"apk": ("x.apk", b"PK\x03\x04", "application/octet-stream")},
        follow_redirects=False,
    )
    assert r.status_code == 404
    c.cookies.clear()


def test_queued_self_check_resumes_after_a_restart(world: World) -> None:
    """A self-check left queued (e.g. the service stopped) is scanned when the next instance starts."""
    from fastapi.testclient import TestClient

    from apprights.service.app import create_app
    from apprights.service.apps.models import App
    from apprights.service.db import make_engine, make_sessionmaker, session_scope
    from apprights.service.scans import selfcheck

    w = world
    app_id = _demo_app(w)
    engine = make_engine(w.settings.resolved_db_url())
    with session_scope(make_sessionmaker(engine)) as s:
        app = s.get(App, app_id)
        assert app is not None and app.enterprise_id is not None
        sc = selfcheck.submit(
            s,
            w.settings.data_dir,
            DEMO_APK.read_bytes(),
            app=app,
            enterprise_id=app.enterprise_id,
            user_id=None,
            now=w.clock(),
            max_bytes=w.settings.max_apk_bytes,
        )
        sc_id = sc.id
    engine.dispose()
    assert w.ok("enterprise", "GET", f"/api/v1/self-checks/{sc_id}")["status"] == "queued"
    with TestClient(create_app(w.settings, clock=w.clock)):
        pass  # startup resumes it; shutdown waits for the scan to finish
    assert w.ok("enterprise", "GET", f"/api/v1/self-checks/{sc_id}")["status"] == "done"


def _uploads_stay_on_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The APK upload is streamed to disk and used from there: reading it whole into memory fails the test."""
    from apprights.service.uploads import SpooledBody

    def refuse(_self: SpooledBody) -> bytes:
        raise AssertionError("the uploaded APK was read into memory")

    monkeypatch.setattr(SpooledBody, "read_bytes", refuse)
