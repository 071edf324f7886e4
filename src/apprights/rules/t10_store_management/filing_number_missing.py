"""A listed app without a valid App filing number (App备案号)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Finding, Severity
from apprights.rules.base import Rule, RuleContext
from apprights.rules.t9_store_disclosure._common import listing_evidence, store_subject

# e.g. 京ICP备12345678号-5A: province abbreviation, ICP备, digits, 号, "-" and a serial ending in A (App).
_FILING = re.compile(r"^[\u4e00-\u9fff]ICP备\d{6,10}号(-\d{1,4}[A-Z]?)?$")
_PROVINCES = set("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼")


class FilingNumberMissing(Rule):
    """A listed app without a valid App filing number (App备案号).

    What it detects
        A store listing of a domestic app that shows no App备案号, or one that is not of the form
        ``<省简称>ICP备<数字>号-<序号>A``. Since the 2023 App filing regime stores must not list unfiled apps.

    Legal basis
        164号文 四(10) (上架审核不严格); T/TAF 078.8. The filing regime itself is the MIIT 2023 App备案 notice.

    Evidence and confidence
        ``listing`` evidence with the filing field as shown. Confidence ``observed``.

    Known false positives
        Listings captured before the filing regime, and foreign developers' apps; the rule only runs on listings
        whose developer country is CN or not given, and can be disabled for historical data.

    Fixtures
        tests/rules/t10_store_management/test_filing_number_missing.py
    """

    id = "T10.filing_number_missing"
    problem_type = 10
    title_zh = "应用分发平台上架的APP未展示有效备案号"
    title_en = "Listed app shows no valid App filing number"
    severity = Severity.LOW
    legal_basis = ("164号文 四(10)", "T/TAF 078.8")
    requires = frozenset({"listing"})

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        for listing in facts.listings:
            if not listing.listed:
                continue
            if (listing.developer_country or "CN").upper() not in ("CN", "CHN", "CHINA", "中国"):
                continue
            filing = (listing.icp_filing or "").strip()
            if filing and _FILING.match(filing) and filing[0] in _PROVINCES:
                continue
            problem = "missing" if not filing else "malformed"
            yield self.finding(
                facts,
                key=f"{listing.store}:{listing.package or listing.app_name}",
                subject=store_subject(listing),
                confidence=Confidence.OBSERVED,
                evidence=[listing_evidence(listing, icp_filing=listing.icp_filing, problem=problem)],
                detail_zh="备案号缺失" if problem == "missing" else f"备案号格式不正确：{filing}",
                detail_en="no filing number"
                if problem == "missing"
                else f"malformed filing number: {filing}",
            )
