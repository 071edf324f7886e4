"""The text report: header, findings grouped by type and subject, evidence truncation, errors."""

from __future__ import annotations

from pathlib import Path

from apprights.engine.scan import ScanRequest, scan
from apprights.knowledge import Knowledge
from apprights.reports.json_report import error_report
from apprights.reports.text_report import render_text

DEMO = Path(__file__).resolve().parents[2] / "samples" / "demo"


def test_real_report_text() -> None:
    rep = scan(ScanRequest(apk=DEMO / "news-5.2.0.apk", policy=DEMO / "policy.html"), Knowledge.load()).report
    text = render_text(rep)
    assert "com.example.news" in text and f"Findings: {len(rep['findings'])}" in text
    for f in rep["findings"]:
        assert f["rule"] in text and f["title"]["zh"] in text and f["title"]["en"] in text
    types = sorted({int(f["problem_type"]) for f in rep["findings"]})
    heads = [line for line in text.splitlines() if line.startswith("== ")]
    assert [int(h[3:].split(".")[0]) for h in heads] == types
    assert text.endswith("\n") and "Summary: high" in text


def test_evidence_is_truncated() -> None:
    finding = {
        "problem_type": 5,
        "subject": {"kind": "app", "name": "A", "id": "a"},
        "severity": "high",
        "confidence": "high",
        "title": {"zh": "标题", "en": "Title"},
        "rule": "T5.x",
        "evidence": [{"kind": "manifest", "where": f"e{i}", "value": i} for i in range(5)],
    }
    text = render_text({"app": {"package": "a"}, "findings": [finding]}, max_evidence=2)
    assert "… 3 more evidence items" in text
    assert "Findings: 1" in text and "标题 / Title" in text


def test_error_only_and_empty_reports() -> None:
    text = render_text(error_report("apk", "/x/bad.apk", "/x/bad.apk: not a zip"))
    assert "Errors:" in text and "/x/bad.apk: not a zip" in text and "Findings: 0" in text
    assert "(unknown app)" in render_text({})
