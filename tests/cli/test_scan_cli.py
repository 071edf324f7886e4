"""The scan command end to end, as a user runs it (a real subprocess: exit codes, stdout, stderr)."""

import json
import subprocess
import sys
from pathlib import Path

from apprights.testing.listings import listing_dict

REPO = Path(__file__).resolve().parents[2]
SAMPLE_LISTING = REPO / "samples" / "listing-news.json"


def apprights(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "apprights.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def test_listing_scan_json_report_has_the_stable_fields() -> None:
    r = apprights("scan", "--listing", str(SAMPLE_LISTING), "--format", "json")
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["format"] == "apprights-report/1"
    assert set(rep["tool"]) >= {"name", "version", "ruleset", "knowledge"}
    assert rep["inputs"][0]["kind"] == "listing" and len(rep["inputs"][0]["sha256"]) == 64
    for f in rep["findings"]:
        assert set(f) >= {
            "fingerprint",
            "rule",
            "problem_type",
            "title",
            "severity",
            "confidence",
            "subject",
            "legal_basis",
            "evidence",
        }
        assert f["problem_type"] in (9, 10) and f["subject"]["kind"] == "platform"
        assert f["title"]["zh"] and f["title"]["en"]
    assert {"T9.listing_info_missing", "T10.developer_identity_invalid"} <= {
        f["rule"] for f in rep["findings"]
    }


def test_fail_on_sets_exit_code() -> None:
    assert apprights("scan", "--listing", str(SAMPLE_LISTING), "--fail-on", "medium").returncode == 1
    assert apprights("scan", "--listing", str(SAMPLE_LISTING), "--fail-on", "none").returncode == 0


def test_bad_listing_is_exit_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(listing_dict(listed="sometimes")), encoding="utf-8")
    r = apprights("scan", "--listing", str(bad))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and "listed" in lines[0]
    assert "Traceback" not in r.stderr


def test_unknown_category_is_exit_2() -> None:
    r = apprights("scan", "--listing", str(SAMPLE_LISTING), "--category", "不存在的类别")
    assert r.returncode == 2 and "unknown app category" in r.stderr


def test_usage_errors_are_exit_2() -> None:
    assert apprights("scan").returncode == 2
    assert apprights("scan", "--listing", str(SAMPLE_LISTING), "--format", "pdf").returncode == 2


def test_html_report_is_written(tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    r = apprights("scan", "--listing", str(SAMPLE_LISTING), "--format", "html", "--output", str(out))
    assert r.returncode == 0, r.stderr
    html = out.read_text(encoding="utf-8")
    assert "应用分发平台未完整展示APP信息" in html and "Store listing does not show" in html


def test_rules_and_sdk_commands() -> None:
    r = apprights("rules", "list", "--format", "json")
    ids = {x["id"] for x in json.loads(r.stdout)}
    assert "T9.listing_info_missing" in ids
    show = apprights("rules", "show", "T9.listing_info_missing")
    assert show.returncode == 0 and "What it detects" in show.stdout and "164号文 四(9)" in show.stdout
    assert apprights("rules", "show", "T0.nope").returncode == 2
    sdk = apprights("sdk", "list", "--format", "json")
    first = json.loads(sdk.stdout)[0]["id"]
    assert apprights("sdk", "show", first).returncode == 0
    assert apprights("sdk", "show", "no-such-sdk").returncode == 2


def test_bad_rule_selection_and_options_exit_2() -> None:
    for args in (
        ["--rule", "T99.nope"],
        ["--disable", "T99.nope"],
        ["--option", "T9.listing_info_hidden.max_depth=deep"],
    ):
        r = apprights("scan", "--listing", str(SAMPLE_LISTING), *args)
        assert r.returncode == 2, args
        assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_options_change_the_result_and_are_recorded() -> None:
    r = apprights(
        "scan",
        "--listing",
        str(SAMPLE_LISTING),
        "--format",
        "json",
        "--option",
        "T9.listing_info_hidden.max_depth=2",
    )
    rep = json.loads(r.stdout)
    assert rep["options"] == {"T9.listing_info_hidden": {"max_depth": 2}}
    assert "T9.listing_info_hidden" not in {f["rule"] for f in rep["findings"]}


def test_text_report_names_versions() -> None:
    r = apprights("scan", "--listing", str(SAMPLE_LISTING))
    assert "ruleset " in r.stdout and "knowledge " in r.stdout
