"""Re-test comparison: findings matched by fingerprint across versions."""

import json
import subprocess
import sys
from pathlib import Path

from apprights.engine.scan import ScanRequest, scan
from apprights.reports.diff import diff_reports, render_diff_text
from apprights.testing.apkbuilder import build_apk
from apprights.testing.dexwriter import dex_with_calls

MANIFEST = """<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.fix"
  android:versionCode="{code}" android:versionName="{name}">
  <uses-sdk android:minSdkVersion="21" android:targetSdkVersion="{target}"/>
  <uses-permission android:name="android.permission.READ_PHONE_STATE"/>
  <application android:label="Fix"/>
</manifest>"""
CALLS = [
    ("com.example.fix.Main", "id", "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;")
]


def report(tmp: Path, code: int, name: str, target: int, knowledge) -> dict:  # type: ignore[no-untyped-def,type-arg]
    apk = build_apk(
        tmp / f"fix-{name}.apk", MANIFEST.format(code=code, name=name, target=target), [dex_with_calls(CALLS)]
    )
    return scan(ScanRequest(apk=apk), knowledge).report


def test_fix_is_seen_across_versions(tmp_path: Path, knowledge) -> None:  # type: ignore[no-untyped-def]
    before = report(tmp_path, 1, "1.0", 22, knowledge)
    after = report(tmp_path, 2, "1.1", 30, knowledge)
    assert any(f["rule"] == "T5.target_sdk_below_23" for f in before["findings"])
    d = diff_reports(before, after)
    assert [f["rule"] for f in d.fixed] == ["T5.target_sdk_below_23"]
    # the IMEI read is still there in 1.1: same fingerprint although the version changed
    assert d.remaining and all(f["rule"] != "T5.target_sdk_below_23" for f in d.remaining)
    assert not d.rectified
    text = render_diff_text(d)
    assert "1.0" in text and "1.1" in text and "fixed / 已解决: 1" in text


def test_identical_reports_are_rectified_only_when_empty(tmp_path: Path, knowledge) -> None:  # type: ignore[no-untyped-def]
    rep = report(tmp_path, 1, "1.0", 30, knowledge)
    assert diff_reports(rep, rep).remaining
    empty = dict(rep, findings=[])
    assert diff_reports(rep, empty).rectified


def test_cli_diff_exit_codes(tmp_path: Path, knowledge) -> None:  # type: ignore[no-untyped-def]
    before = report(tmp_path, 1, "1.0", 22, knowledge)
    b = tmp_path / "b.json"
    a = tmp_path / "a.json"
    b.write_text(json.dumps(before), encoding="utf-8")
    a.write_text(json.dumps(dict(before, findings=[])), encoding="utf-8")
    run = [sys.executable, "-m", "apprights.cli.main", "diff"]
    ok = subprocess.run(
        [*run, str(b), str(a), "--format", "json"], capture_output=True, text=True, timeout=60
    )
    assert ok.returncode == 0 and json.loads(ok.stdout)["rectified"] is True
    not_ok = subprocess.run([*run, str(b), str(b)], capture_output=True, text=True, timeout=60)
    assert not_ok.returncode == 1
    junk = tmp_path / "junk.json"
    junk.write_text("{}", encoding="utf-8")
    bad = subprocess.run([*run, str(junk), str(b)], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "not an apprights-report/1" in bad.stderr and "Traceback" not in bad.stderr
