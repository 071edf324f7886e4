"""The store's permission list differs from the APK, or gives no purpose."""

from __future__ import annotations

from collections.abc import Iterator

from apprights.knowledge import Knowledge
from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.model.listing import ListingFacts
from apprights.rules.base import Rule, RuleContext
from apprights.rules.t9_store_disclosure._common import listing_evidence, store_subject


def listed_permission_names(listing: ListingFacts, knowledge: Knowledge) -> set[str]:
    """Android names of the listed permissions; Chinese labels are mapped through the permission table."""
    by_label = {p.label_zh: p.name for p in knowledge.permissions.entries if p.label_zh}
    names: set[str] = set()
    for p in listing.permissions or []:
        n = p.name.strip()
        if n.startswith("android.permission.") or "." in n:
            names.add(n)
        elif n in by_label:
            names.add(by_label[n])
        elif n.isupper():
            names.add("android.permission." + n)
    return names


class ListingPermissionsMismatch(Rule):
    """The store's permission list differs from the APK, or gives no purpose.

    What it detects
        (a) Dangerous permissions the APK declares that the store's permission list does not show (the listing
        understates what the app asks for); (b) listed permissions with no stated purpose (权限列表及用途).
        Listed names may be Android names or the store's Chinese labels, mapped through the permission table.

    Legal basis
        164号文 四(9); 26号文 (推荐下载须明示权限列表); T/TAF 078.9.

    Evidence and confidence
        ``listing`` evidence with the unlisted permissions and the permissions without purpose, and
        ``manifest`` evidence for the APK's declarations. Confidence ``observed``.

    Known false positives
        A listing captured for a different version than the APK scanned: compare ``version_name`` first (rule
        T9.listing_app_mismatch). Chinese labels the table does not know are ignored rather than guessed.

    Fixtures
        tests/rules/t9_store_disclosure/test_listing_permissions_mismatch.py
    """

    id = "T9.listing_permissions_mismatch"
    problem_type = 9
    title_zh = "应用分发平台展示的权限列表及用途与APK不一致或不完整"
    title_en = "Store permission list differs from the APK or lacks purposes"
    severity = Severity.MEDIUM
    legal_basis = ("164号文 四(9)", "26号文", "T/TAF 078.9")
    requires = frozenset({"listing"})

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        for listing in facts.listings:
            if not listing.listed or listing.permissions is None:
                continue
            if facts.manifest is not None and listing.package and listing.package != facts.manifest.package:
                continue
            unlisted: list[str] = []
            if facts.manifest is not None:
                listed = listed_permission_names(listing, ctx.knowledge)
                unlisted = sorted(
                    p.name for p in facts.manifest.permissions if p.dangerous and p.name not in listed
                )
            no_purpose = sorted(p.name for p in listing.permissions if not p.purpose.strip())
            if not unlisted and not no_purpose:
                continue
            evidence = [
                listing_evidence(
                    listing, unlisted_permissions=unlisted, permissions_without_purpose=no_purpose
                )
            ]
            if unlisted and facts.manifest is not None:
                evidence.append(
                    Evidence("manifest", {"package": facts.manifest.package, "declared_dangerous": unlisted})
                )
            parts_zh, parts_en = [], []
            if unlisted:
                parts_zh.append(f"APK申请但商店未展示的权限{len(unlisted)}项")
                parts_en.append(f"{len(unlisted)} dangerous permission(s) of the APK not listed")
            if no_purpose:
                parts_zh.append(f"未说明用途的权限{len(no_purpose)}项")
                parts_en.append(f"{len(no_purpose)} listed permission(s) without purpose")
            yield self.finding(
                facts,
                key=f"{listing.store}:{listing.package or facts.package or listing.app_name}",
                subject=store_subject(listing),
                confidence=Confidence.OBSERVED,
                evidence=evidence,
                detail_zh="；".join(parts_zh),
                detail_en="; ".join(parts_en),
            )
