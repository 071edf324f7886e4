"""`apprights scan` on the real APKs named in the static-engine issue's "done when"."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import shared_path


def scan_json(*args: str) -> dict:  # type: ignore[type-arg]
    r = subprocess.run(
        [sys.executable, "-m", "apprights.cli.main", "scan", *args, "--format", "json", "--fail-on", "none"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)  # type: ignore[no-any-return]


def sdk_ids(rep: dict) -> set[str]:  # type: ignore[type-arg]
    return {s["id"] for s in rep["sdks"]}


def test_bugly_demo_reports_bugly_and_tinker_with_evidence() -> None:
    rep = scan_json(str(shared_path("apks", "cn-bugly__demo.apk")))
    ids = sdk_ids(rep)
    assert any("bugly" in i for i in ids), ids
    assert any("tinker" in i for i in ids), ids
    for s in rep["sdks"]:
        if "bugly" in s["id"]:
            assert s["evidence"], s


def test_instapaper_reports_facebook_crashlytics_firebase() -> None:
    rep = scan_json(str(shared_path("apks", "exodus-core__instapaper.apk")))
    ids = " ".join(sorted(sdk_ids(rep)))
    for name in ("facebook", "crashlytics", "firebase"):
        assert name in ids, ids


def test_imei1_call_site_in_app_code() -> None:
    path = shared_path("apks", "droidbench__IMEI1.apk")
    from apprights.engine.scan import ScanRequest, scan
    from apprights.knowledge import Knowledge

    res = scan(ScanRequest(apk=path), Knowledge.load())
    assert res.facts.code is not None and res.facts.manifest is not None
    pkg = res.facts.manifest.package
    sites = [
        c for c in res.facts.code.call_sites if c.api == "android.telephony.TelephonyManager.getDeviceId"
    ]
    assert any(c.caller_class.startswith(pkg) for c in sites), sites


def test_androguard_invalid_apk_is_scanned_as_android_would_install_it() -> None:
    # Its zip, manifest, resources, v1 signature and dex checksums are sound (apksigner verifies it): the
    # "invalid" part is bytecode meant for androguard's decompiler tests, so Android installs it and we scan it.
    path = shared_path("apks", "androguard__Invalid.apk")
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "apprights.cli.main",
            "scan",
            str(path),
            "--format",
            "json",
            "--fail-on",
            "none",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["app"]["package"]


@pytest.mark.parametrize("kind", ["notzip", "empty"])
def test_bad_apks_exit_2_with_one_line(tmp_path: Path, kind: str) -> None:
    path = tmp_path / f"{kind}.apk"
    path.write_bytes(b"this is not a zip file\n" * 10 if kind == "notzip" else b"")
    r = subprocess.run(
        [sys.executable, "-m", "apprights.cli.main", "scan", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "Traceback" not in r.stderr


def test_batch_goes_on_after_a_bad_apk(tmp_path: Path) -> None:
    bad = tmp_path / "bad.apk"
    bad.write_bytes(b"PK\x03\x04 truncated")
    good = shared_path("apks", "fdroid__janus.apk")
    r = subprocess.run(
        [sys.executable, "-m", "apprights.cli.main", "scan", str(bad), str(good), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2
    reports = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    assert len(reports) == 1 and reports[0]["app"]["package"]
    assert "[1/2]" in r.stderr and "[2/2]" in r.stderr
