"""Listing does not show the app information a store must show."""

from __future__ import annotations

from collections.abc import Iterator

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Finding, Severity
from apprights.rules.base import Rule, RuleContext
from apprights.rules.t9_store_disclosure._common import listing_evidence, store_subject

_FIELDS: dict[str, tuple[str, str]] = {
    "developer": ("开发者信息", "developer"),
    "version_name": ("版本信息", "version"),
    "description": ("主要功能", "main functions"),
    "permissions": ("权限列表及用途", "permission list and purposes"),
    "privacy_policy_url": ("隐私政策", "privacy policy"),
    "updated_at": ("更新时间", "update date"),
}


class ListingInfoMissing(Rule):
    """Listing does not show the app information a store must show.

    What it detects
        A store listing (``apprights-listing/1``) that lacks one of the items a distribution platform must show
        clearly: developer information, version, main functions, the permission list with purposes, the privacy
        policy (and the update date). One finding per store; the evidence names each missing field.

    Legal basis
        164号文 四(9) 应用分发平台上的APP信息明示不到位; 26号文 (推荐下载须明示开发者信息、产品功能、隐私政策、
        权限列表); T/TAF 078.9.

    Evidence and confidence
        ``listing`` evidence with the file, item index, store, capture time and the missing fields.
        Confidence ``observed``: the listing is what the store showed when captured.

    Known false positives
        A crawler that failed to capture a field (e.g. rendered by JavaScript) makes it look missing; check the
        listing snapshot. ``updated_at`` is not named by the notice and is reported only with the others.

    Fixtures
        tests/rules/t9_store_disclosure/test_listing_info_missing.py
    """

    id = "T9.listing_info_missing"
    problem_type = 9
    title_zh = "应用分发平台未完整展示APP信息"
    title_en = "Store listing does not show required app information"
    severity = Severity.MEDIUM
    legal_basis = ("164号文 四(9)", "26号文", "T/TAF 078.9")
    requires = frozenset({"listing"})

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        for listing in facts.listings:
            if not listing.listed:
                continue
            missing: list[str] = []
            if not (listing.developer_name or "").strip():
                missing.append("developer")
            if not (listing.version_name or "").strip():
                missing.append("version_name")
            if not (listing.description or "").strip():
                missing.append("description")
            if not listing.permissions:
                missing.append("permissions")
            if not (listing.privacy_policy_url or "").strip():
                missing.append("privacy_policy_url")
            core = [m for m in missing if m != "updated_at"]
            if not core:
                continue
            if not (listing.updated_at or "").strip():
                missing.append("updated_at")
            zh = "、".join(_FIELDS[m][0] for m in missing)
            en = ", ".join(_FIELDS[m][1] for m in missing)
            yield self.finding(
                facts,
                key=f"{listing.store}:{listing.package or listing.app_name}",
                subject=store_subject(listing),
                confidence=Confidence.OBSERVED,
                evidence=[listing_evidence(listing, missing_fields=missing)],
                detail_zh=f"商店页面缺少：{zh}",
                detail_en=f"The listing lacks: {en}",
            )
