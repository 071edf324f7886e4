"""The text report: header, findings grouped by type and subject, evidence truncation, errors."""

from __future__ import annotations

import re
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


# --- issue 12: legal basis printed, each fact cited once per problem type, no internal values ---------------

REQ_FULL = dict(
    apk=DEMO / "news-5.2.0.apk",
    policy=DEMO / "policy.html",
    traces=[DEMO / "trace-first-launch.jsonl"],
    category="新闻资讯类",
)


def _sections(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    cur = ""
    for line in text.splitlines():
        if line.startswith("== "):
            cur = line
        elif cur:
            out.setdefault(cur, []).append(line)
    return out


def test_text_prints_the_legal_basis_and_cites_each_fact_once_per_type() -> None:
    rep = scan(ScanRequest(**REQ_FULL), Knowledge.load()).report  # type: ignore[arg-type]
    text = render_text(rep, max_evidence=50)
    assert "legal basis / 依据: 164号文 一(1) (工信部信管函〔2020〕164号" in text
    assert text.count("legal basis / 依据:") == len(rep["findings"])
    for head, lines in _sections(text).items():
        full = [
            ln.strip().split(" ", 1)[0]
            for ln in lines
            if re.match(r"\s+E\d+ \[", ln) and "cited above" not in ln
        ]
        assert len(full) == len(set(full)), head  # every fact printed in full once in its type
        refs = [ln.strip().split(" ", 1)[0] for ln in lines if "cited above" in ln]
        assert set(refs) <= set(full), head  # a reference points at a fact printed above
    assert "cited above / 同上" in text
    # the IMEI request to stat.example-ads.cn (event 6) is printed once in type 3, whichever rule cites it
    t3 = next(v for k, v in _sections(text).items() if k.startswith("== 3."))
    assert (
        sum(
            1
            for ln in t3
            if "stat.example-ads.cn" in ln and "cited above" not in ln and re.search(r"E\d+ \[trace\]", ln)
        )
        == 1
    )
    assert "sentence=-1" not in text and "index=-1" not in text
    assert "    - 友盟基础组件库 / Umeng Common SDK (umeng-common" in text  # SDKs named in both languages


def test_coverage_notes_are_listed_not_counted() -> None:
    rep = scan(ScanRequest(apk=DEMO / "news-5.2.0.apk"), Knowledge.load()).report
    text = render_text(rep)
    assert "Scan coverage / 检测覆盖: evidence static" in text
    assert "note / 说明: 未提供隐私政策文本，需人工复核" in text and "(T1.pol_no_policy)" in text
    assert "T1.pol_no_policy" not in "".join(ln for ln in text.splitlines() if ln.startswith("   "))
