"""The apprights-report/1 dict: field order and consistency on a real scan, dumps, the error line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apprights.engine.scan import ScanRequest, scan
from apprights.knowledge import Knowledge
from apprights.reports.json_report import REPORT_FORMAT, dumps, error_report

DEMO = Path(__file__).resolve().parents[2] / "samples" / "demo"


@pytest.fixture(scope="module")
def report() -> dict:  # type: ignore[type-arg]
    req = ScanRequest(
        apk=DEMO / "news-5.2.0.apk", policy=DEMO / "policy.html", traces=[DEMO / "trace-first-launch.jsonl"]
    )
    return scan(req, Knowledge.load()).report


def test_stable_fields_first_and_counts_agree(report: dict) -> None:  # type: ignore[type-arg]
    assert list(report)[:10] == [
        "format", "tool", "inputs", "app", "permissions", "sdks", "findings", "errors", "timing", "summary",
    ]  # fmt: skip
    assert report["format"] == REPORT_FORMAT == "apprights-report/1"
    s = report["summary"]
    assert s["findings"] == len(report["findings"]) == sum(s["by_severity"].values())
    assert sum(s["by_problem_type"].values()) == len(report["findings"])
    assert list(s["by_problem_type"]) == sorted(s["by_problem_type"], key=int)
    assert report["app"]["package"] == "com.example.news"
    assert {i["kind"] for i in report["inputs"]} == {"apk", "policy", "trace"}
    assert report["code"]["class_count"] > 0
    assert len({f["fingerprint"] for f in report["findings"]}) == len(report["findings"])


def test_dumps_is_json_that_round_trips(report: dict) -> None:  # type: ignore[type-arg]
    text = dumps(report)
    again = json.loads(text)
    assert again["findings"] == json.loads(json.dumps(report["findings"], default=str))
    assert "\\u" not in text  # Chinese stays readable


def test_error_report_has_the_stable_shape() -> None:
    rep = error_report("apk", "/x/bad.apk", "/x/bad.apk: not a zip", total_s=0.123456)
    assert rep["format"] == REPORT_FORMAT and rep["findings"] == [] and rep["app"]["package"] == ""
    assert rep["errors"] == [{"input": "/x/bad.apk", "message": "/x/bad.apk: not a zip"}]
    assert rep["inputs"][0] == {"kind": "apk", "path": "/x/bad.apk", "sha256": "", "size": 0}
    assert rep["timing"]["total_s"] == 0.1235
