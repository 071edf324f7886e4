"""English finding text names SDKs and categories in English (issue 12), and no empty （） in Chinese text."""

from __future__ import annotations

import re
from pathlib import Path

from apprights.engine.scan import ScanRequest, scan
from apprights.model.finding import Confidence, Finding, Severity, Subject, SubjectKind
from apprights.reports.english import localise

DEMO = Path(__file__).resolve().parents[2] / "samples" / "demo"
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_demo_report_english_text_uses_english_names(knowledge) -> None:  # type: ignore[no-untyped-def]
    req = ScanRequest(
        apk=DEMO / "news-5.2.0.apk",
        policy=DEMO / "policy.html",
        traces=[DEMO / "trace-first-launch.jsonl"],
        category="新闻资讯类",
    )
    rep = scan(req, knowledge).report
    zh_sdk_names = {s["name"] for s in rep["sdks"] if CJK.search(s["name"])}
    assert zh_sdk_names
    for f in rep["findings"]:
        en = f["title"]["en"] + " " + (f.get("detail") or {}).get("en", "")
        assert not any(
            re.search(f"(?<![\u4e00-\u9fff]){re.escape(n)}(?![\u4e00-\u9fff])", en) for n in zh_sdk_names
        ), en
        assert "新闻资讯类" not in en, en
        assert "（）" not in (f.get("detail") or {}).get("zh", ""), f["rule"]
        if f["subject"]["kind"] == "sdk":
            assert f["subject"]["name_en"] and not CJK.search(f["subject"]["name_en"]), f["subject"]
    beyond = [f for f in rep["findings"] if "News app" in (f.get("detail") or {}).get("en", "")]
    assert beyond  # "The basic function of a News app does not need location, yet AMap … read it"


def test_names_inside_company_names_are_left_alone() -> None:
    f = Finding(
        rule="T1.x",
        problem_type=1,
        title_zh="t",
        title_en="t",
        severity=Severity.LOW,
        confidence=Confidence.PRESENT,
        subject=Subject(SubjectKind.SDK, "umeng", "友盟"),
        legal_basis=[],
        evidence=[],
        detail_en="友盟 reads it (友盟同欣(北京)科技有限公司); 友盟",
    )
    localise([f], {"友盟": "Umeng"})
    assert f.detail_en == "Umeng reads it (友盟同欣(北京)科技有限公司); Umeng"
