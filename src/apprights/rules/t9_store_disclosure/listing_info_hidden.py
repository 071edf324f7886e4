"""Developer, version or permission information hidden below the listing page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Finding, Severity
from apprights.rules.base import Rule, RuleContext
from apprights.rules.t9_store_disclosure._common import listing_evidence, store_subject


class ListingInfoHidden(Rule):
    """Developer, version or permission information hidden below the listing page.

    What it detects
        A listing whose developer, version or permission list is shown only behind a further link
        (``field_depth`` > ``max_depth``, default 1 = on the page), or whose privacy policy is more than
        ``max_policy_depth`` levels below the page (default 2).

    Legal basis
        164号文 四(9); practitioners' reading of T/TAF 078.9 (开发者、版本信息不得隐藏在二级链接中).

    Evidence and confidence
        ``listing`` evidence with each field and its depth. Confidence ``observed``.

    Known false positives
        Depth is as recorded by the crawler or person capturing the listing; a compact mobile layout may fold a
        field that the desktop page shows.

    Fixtures
        tests/rules/t9_store_disclosure/test_listing_info_hidden.py
    """

    id = "T9.listing_info_hidden"
    problem_type = 9
    title_zh = "APP开发者、版本或权限信息隐藏在二级页面"
    title_en = "Developer, version or permission information hidden below the listing page"
    severity = Severity.LOW
    legal_basis = ("164号文 四(9)", "T/TAF 078.9")
    requires = frozenset({"listing"})
    default_options: ClassVar[dict[str, Any]] = {"max_depth": 1, "max_policy_depth": 2}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        max_depth = int(ctx.option(type(self), "max_depth"))
        max_policy = int(ctx.option(type(self), "max_policy_depth"))
        for listing in facts.listings:
            if not listing.listed:
                continue
            deep = {
                k: v
                for k, v in listing.field_depth.items()
                if k in ("developer", "version_name", "permissions") and v > max_depth
            }
            if listing.privacy_policy_depth is not None and listing.privacy_policy_depth > max_policy:
                deep["privacy_policy"] = listing.privacy_policy_depth
            if not deep:
                continue
            yield self.finding(
                facts,
                key=f"{listing.store}:{listing.package or listing.app_name}",
                subject=store_subject(listing),
                confidence=Confidence.OBSERVED,
                evidence=[listing_evidence(listing, field_depth=deep)],
                detail_zh="以下信息需点击进入下级页面才能查看：" + "、".join(sorted(deep)),
                detail_en="Shown only below the listing page: " + ", ".join(sorted(deep)),
            )
