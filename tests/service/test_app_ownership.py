"""App ownership: an app first seen in a scan is not handed to whoever asks; an enterprise proves it with the
signed APK (certificate seen by a test agency), or a ministry/province decides; moves are audited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from apprights.service.apps.ownership import signers_in_test_results
from apprights.service.audit.models import AuditRecord
from apprights.service.scans.factory import make_finding, make_report
from apprights.testing.apkbuilder import build_apk
from apprights.testing.signing import V1_BLOCK_NAME, DeveloperCert, developer_cert
from tests.service.conftest import World

FOUND = "com.example.found"
APK = "application/octet-stream"


def _manifest(package: str) -> str:
    return (
        '<manifest xmlns:android="http://schemas.android.com/apk/res/android" '
        f'package="{package}" android:versionCode="3" android:versionName="3.0">'
        '<application android:label="x"/></manifest>'
    )


def _apk(tmp_path: Path, cert: DeveloperCert | None, package: str = FOUND) -> bytes:
    extra = {V1_BLOCK_NAME: cert.block} if cert is not None else {}
    name = f"{package}-{cert.sha256[:8] if cert else 'unsigned'}.apk"
    return build_apk(tmp_path / name, _manifest(package), extra=extra).read_bytes()


def _seen_in_scan(w: World, signer: str, role: str = "agency", version: str = "3.0", code: int = 3) -> int:
    f = make_finding("t1.collect_before_consent", 1, ("app", FOUND, "发现"), key=f"imei{code}")
    report = make_report(FOUND, version_name=version, version_code=code, label="发现", findings=[f])
    report["app"]["signer_sha256"] = [signer]
    run = w.ok(role, "POST", "/api/v1/scans", content=json.dumps(report).encode())["scan_run_ids"][0]
    runs = w.ok("ministry", "GET", "/api/v1/scans?limit=100")["items"]
    return int(next(r["app_id"] for r in runs if r["id"] == run))


def _claim(w: World, apk: bytes, role: str = "enterprise") -> object:
    return w.call(role, "POST", "/api/v1/apps/claim", content=apk, headers={"content-type": APK})


def test_registering_a_scanned_app_needs_proof(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _uploads_stay_on_disk(monkeypatch)
    w = world
    dev = developer_cert("福州示例")
    app_id = _seen_in_scan(w, dev.sha256)
    r = w.call(
        "enterprise", "POST", "/api/v1/apps", json={"package": FOUND, "enterprise_id": w.ids["enterprise"]}
    )
    assert r.status_code == 409 and "prove ownership" in r.text
    assert w.call("enterprise", "GET", f"/api/v1/apps/{app_id}").status_code == 404
    # a different certificate, an unsigned APK, another package: refused
    r = _claim(w, _apk(tmp_path, developer_cert("冒充者")))
    assert r.status_code == 409 and "does not match" in r.text  # type: ignore[attr-defined]
    r = _claim(w, _apk(tmp_path, None))
    assert r.status_code == 422 and "no signing certificate" in r.text  # type: ignore[attr-defined]
    bad = _claim(w, b"not an apk")
    assert bad.status_code == 422 and bad.json()["detail"].startswith("apk: ")  # type: ignore[attr-defined]
    assert "tmp" not in bad.text  # type: ignore[attr-defined]
    # the matching certificate proves it
    app = _claim(w, _apk(tmp_path, dev)).json()  # type: ignore[attr-defined]
    assert (
        app["id"] == app_id and app["enterprise_id"] == w.ids["enterprise"] and app["ownership"] == "signer"
    )
    assert w.ok("enterprise", "GET", f"/api/v1/apps/{app_id}")["package"] == FOUND
    # another enterprise with the same certificate cannot take it away
    r = _claim(w, _apk(tmp_path, dev), role="enterprise_other")
    assert r.status_code == 409 and "another enterprise" in r.text  # type: ignore[attr-defined]
    with w.client.app.state.sessionmaker() as s:
        (bind,) = s.scalars(select(AuditRecord).where(AuditRecord.action == "bind")).all()
        assert bind.entity_id == app_id and dev.sha256 in bind.evidence and bind.reason == "signer"


def test_a_self_reported_certificate_proves_nothing(world: World, tmp_path: Path) -> None:
    w = world
    real = developer_cert("真正的开发者")
    app_id = _seen_in_scan(w, real.sha256)
    forger = developer_cert("冒充者")
    # the claimant cannot submit its own "report" of the app signed with its certificate
    f = make_finding("t1.collect_before_consent", 1, ("app", FOUND, "发现"), key="x")
    fake = make_report(FOUND, version_name="3.1", version_code=4, label="发现", findings=[f])
    fake["app"]["signer_sha256"] = [forger.sha256]
    r = w.call("enterprise_other", "POST", "/api/v1/scans", content=json.dumps(fake).encode())
    assert r.status_code == 422 and "not one of your apps" in r.text
    with w.client.app.state.sessionmaker() as s:
        assert signers_in_test_results(s, app_id) == {real.sha256}
    r = _claim(w, _apk(tmp_path, forger), role="enterprise_other")
    assert r.status_code == 409 and "does not match" in r.text  # type: ignore[attr-defined]


def test_a_regulator_decides_and_a_move_between_provinces_is_audited(world: World) -> None:
    w = world
    app_id = _seen_in_scan(w, developer_cert().sha256)
    # the Beijing province may not bind it to a Fujian enterprise; the Fujian province may
    body = {"package": FOUND, "enterprise_id": w.ids["enterprise"]}
    assert w.call("province_other", "POST", "/api/v1/apps", json=body).status_code == 403
    app = w.ok("province", "POST", "/api/v1/apps", json=body)
    assert app["enterprise_id"] == w.ids["enterprise"] and app["ownership"] == "decision"
    fid = next(f["id"] for f in w.ok("ministry", "GET", "/api/v1/findings")["items"] if f["app_id"] == app_id)
    cid = w.ok("province", "POST", f"/api/v1/findings/{fid}/review", json={"decision": "confirm"})["case_id"]
    assert w.ok("province", "GET", f"/api/v1/cases/{cid}")["province_code"] == "35"
    # only the ministry moves an app to another enterprise; the case moves to Beijing, audited
    move = {"enterprise_id": w.ids["other_enterprise"], "reason": "企业迁址"}
    assert w.call("province", "PATCH", f"/api/v1/apps/{app_id}", json=move).status_code == 403
    w.ok("ministry", "PATCH", f"/api/v1/apps/{app_id}", json=move)
    assert w.call("province", "GET", f"/api/v1/cases/{cid}").status_code == 404
    case = w.ok("province_other", "GET", f"/api/v1/cases/{cid}")
    assert case["province_code"] == "11"
    moves = [(a["from_state"], a["to_state"]) for a in case["audit"] if a["action"] == "move_province"]
    assert moves == [("35", "11")]


def test_moving_an_enterprise_moves_its_cases(world: World) -> None:
    w = world
    f = make_finding("t1.collect_before_consent", 1, ("app", "com.example.shop", "示例商城"), key="imei")
    report = make_report("com.example.shop", label="示例商城", findings=[f])
    w.ok("agency", "POST", "/api/v1/scans", content=json.dumps(report).encode())
    fid = w.ok("ministry", "GET", "/api/v1/findings")["items"][0]["id"]
    cid = w.ok("ministry", "POST", f"/api/v1/findings/{fid}/review", json={"decision": "confirm"})["case_id"]
    url = f"/api/v1/enterprises/{w.ids['enterprise']}"
    assert w.call("province", "PATCH", url, json={"province_code": "11"}).status_code == 403
    w.ok("ministry", "PATCH", url, json={"province_code": "11", "reason": "迁址北京"})
    case = w.ok("province_other", "GET", f"/api/v1/cases/{cid}")
    assert [(a["from_state"], a["to_state"]) for a in case["audit"] if a["action"] == "move_province"] == [
        ("35", "11")
    ]


def _uploads_stay_on_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """The APK upload is streamed to disk and used from there: reading it whole into memory fails the test."""
    from apprights.service.uploads import SpooledBody

    def refuse(_self: SpooledBody) -> bytes:
        raise AssertionError("the uploaded APK was read into memory")

    monkeypatch.setattr(SpooledBody, "read_bytes", refuse)
