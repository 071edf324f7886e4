"""Re-test comparison: findings matched by fingerprint across versions."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from apprights.engine.scan import ScanRequest, scan
from apprights.reports.diff import NotComparable, diff_reports, render_diff_text
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


CLIP = (
    "com.example.fix.Paste",
    "go",
    "Landroid/content/ClipboardManager;->getPrimaryClip()Landroid/content/ClipData;",
)


def report(tmp: Path, code: int, name: str, target: int, knowledge, calls=CALLS) -> dict:  # type: ignore[no-untyped-def,type-arg]
    apk = build_apk(
        tmp / f"fix-{name}.apk", MANIFEST.format(code=code, name=name, target=target), [dex_with_calls(calls)]
    )
    return scan(ScanRequest(apk=apk), knowledge).report


def test_fix_is_seen_across_versions(tmp_path: Path, knowledge) -> None:  # type: ignore[no-untyped-def]
    before = report(tmp_path, 1, "1.0", 22, knowledge)
    after = report(tmp_path, 2, "1.1", 30, knowledge)
    assert any(f["rule"] == "T5.target_sdk_below_23" for f in before["findings"])
    d = diff_reports(before, after)
    assert [f["rule"] for f in d.fixed] == ["T5.target_sdk_below_23"]
    # the IMEI read without a policy is a scan-coverage note in both versions, not a finding that remains
    assert not d.remaining and not d.not_retested and d.rectified
    text = render_diff_text(d)
    assert "1.0" in text and "1.1" in text and "fixed / 已解决: 1" in text


def test_identical_reports_are_rectified_only_when_empty(tmp_path: Path, knowledge) -> None:  # type: ignore[no-untyped-def]
    rep = report(tmp_path, 1, "1.0", 22, knowledge)
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


# --- coverage-aware re-test (issue 12): absence proves a fix only where the re-test looked -------------------

DEMO = Path(__file__).resolve().parents[2] / "samples" / "demo"


def _cli_diff(tmp: Path, before: dict, after: dict) -> subprocess.CompletedProcess[str]:  # type: ignore[type-arg]
    b, a = tmp / "before.json", tmp / "after.json"
    b.write_text(json.dumps(before), encoding="utf-8")
    a.write_text(json.dumps(after), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "apprights.cli.main", "diff", str(b), str(a), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_report_records_coverage(tmp_path: Path, knowledge) -> None:  # type: ignore[no-untyped-def]
    rep = report(tmp_path, 1, "1.0", 22, knowledge)
    cov = rep["coverage"]
    assert cov["evidence"] == ["static"]
    assert "T5.target_sdk_below_23" in cov["rules_run"]
    assert all(r.startswith("T") for r in cov["rules_run"])
    # rules needing a trace or a policy were skipped and say why
    assert any("runtime" in why for why in cov["rules_skipped"].values())


def test_another_app_is_exit_2(tmp_path: Path, knowledge) -> None:  # type: ignore[no-untyped-def]
    before = report(tmp_path, 1, "1.0", 22, knowledge)
    other = json.loads(json.dumps(before))
    other["app"]["package"] = "com.other.app"
    other["findings"] = []
    with pytest.raises(NotComparable, match="different apps"):
        diff_reports(before, other)
    r = _cli_diff(tmp_path, before, other)
    assert r.returncode == 2 and "different apps" in r.stderr and "Traceback" not in r.stderr


def test_another_signing_certificate_is_exit_2(tmp_path: Path, knowledge) -> None:  # type: ignore[no-untyped-def]
    before = report(tmp_path, 1, "1.0", 22, knowledge)
    resigned = json.loads(json.dumps(before))
    before["app"]["signer_sha256"] = ["aa" * 32]
    resigned["app"]["signer_sha256"] = ["bb" * 32]
    resigned["findings"] = []
    r = _cli_diff(tmp_path, before, resigned)
    assert r.returncode == 2 and "different certificate" in r.stderr
    # the same certificate (or none recorded) compares
    resigned["app"]["signer_sha256"] = ["AA" * 32]
    assert diff_reports(before, resigned).rectified


def test_retest_that_ran_one_rule_fixes_only_that_rule(tmp_path: Path, knowledge) -> None:  # type: ignore[no-untyped-def]
    clip = (
        "com.example.fix.Paste",
        "go",
        "Landroid/content/ClipboardManager;->getPrimaryClip()Landroid/content/ClipData;",
    )
    apk = build_apk(
        tmp_path / "a.apk", MANIFEST.format(code=1, name="1.0", target=22), [dex_with_calls([*CALLS, clip])]
    )
    before = scan(ScanRequest(apk=apk), knowledge).report
    assert len(before["findings"]) >= 2
    no_perm = MANIFEST.format(code=2, name="1.1", target=30).replace(
        '<uses-permission android:name="android.permission.READ_PHONE_STATE"/>', ""
    )
    fixed_apk = build_apk(tmp_path / "b.apk", no_perm, [dex_with_calls([])])
    one_rule = scan(ScanRequest(apk=fixed_apk, only_rules={"T5.target_sdk_below_23"}), knowledge).report
    assert one_rule["findings"] == []
    d = diff_reports(before, one_rule)
    assert [f["rule"] for f in d.fixed] == ["T5.target_sdk_below_23"]
    assert d.not_retested and not d.rectified
    assert all("did not run" in u.reason_en for u in d.not_retested)
    r = _cli_diff(tmp_path, before, one_rule)
    assert r.returncode == 1 and json.loads(r.stdout)["not_retested"]
    # the full re-test of the same fixed APK proves the fix
    full = scan(ScanRequest(apk=fixed_apk), knowledge).report
    d = diff_reports(before, full)
    assert not d.not_retested and not d.remaining and d.rectified
    assert "not re-tested / 未复测: 0" in render_diff_text(d)


def test_retest_without_the_trace_does_not_fix_trace_findings(knowledge) -> None:  # type: ignore[no-untyped-def]
    apk, trace = DEMO / "news-5.2.0.apk", DEMO / "trace-first-launch.jsonl"
    before = scan(ScanRequest(apk=apk, policy=DEMO / "policy.html", traces=[trace]), knowledge).report
    traced = [f for f in before["findings"] if any(e["source"] == "trace" for e in f["evidence"])]
    assert traced
    static_only = scan(ScanRequest(apk=apk, policy=DEMO / "policy.html"), knowledge).report
    d = diff_reports(before, static_only)
    fixed = {f["fingerprint"] for f in d.fixed}
    assert not fixed & {f["fingerprint"] for f in traced}  # without the trace nothing it showed is fixed
    assert not d.rectified
    assert any("trace" in u.reason_en for u in d.not_retested)


def test_old_report_without_coverage_proves_no_fix(tmp_path: Path, knowledge) -> None:  # type: ignore[no-untyped-def]
    before = report(tmp_path, 1, "1.0", 22, knowledge, [*CALLS, CLIP])
    after = report(tmp_path, 2, "1.1", 30, knowledge, [*CALLS, CLIP])
    old_after = {k: v for k, v in after.items() if k != "coverage"}
    d = diff_reports(before, old_after)
    assert not d.fixed and not d.rectified
    assert [u.finding["rule"] for u in d.not_retested] == ["T5.target_sdk_below_23"]
    assert d.remaining  # what is still found is still found, coverage or not
    assert "not recorded" in render_diff_text(d)


def test_no_policy_note_is_coverage_not_a_finding(tmp_path: Path, knowledge) -> None:  # type: ignore[no-untyped-def]
    rep = report(tmp_path, 1, "1.0", 22, knowledge)  # reads the IMEI, no --policy
    assert all(f["rule"] != "T1.pol_no_policy" for f in rep["findings"])
    notes = rep["coverage"]["notes"]
    assert [n["rule"] for n in notes] == ["T1.pol_no_policy"]
    assert rep["summary"]["findings"] == len(rep["findings"])
    assert "1" not in rep["summary"]["by_problem_type"]


def test_hostile_findings_are_exit_2(tmp_path: Path, knowledge) -> None:  # type: ignore[no-untyped-def]
    before = report(tmp_path, 1, "1.0", 22, knowledge)
    bad = json.loads(json.dumps(before))
    bad["findings"] = [{"fingerprint": "x"}]
    r = _cli_diff(tmp_path, before, bad)
    assert r.returncode == 2 and "finding 0 lacks" in r.stderr and "Traceback" not in r.stderr
