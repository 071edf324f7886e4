"""The listing's package or version is not the app that was scanned."""

from __future__ import annotations

from collections.abc import Iterator

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.rules.base import Rule, RuleContext
from apprights.rules.t9_store_disclosure._common import listing_evidence, store_subject


class ListingAppMismatch(Rule):
    """The listing's package, version or name is not the app that was scanned.

    What it detects
        A listing that names the scanned APK's package but shows another version name, or an app name that
        differs from the APK's label (the name before and after download must match).

    Legal basis
        164号文 四(9) (信息真实、完整); T/TAF 078.9.

    Evidence and confidence
        ``listing`` evidence with the listed values and ``manifest`` evidence with the APK's. Confidence
        ``observed``.

    Known false positives
        A listing captured before the store published the scanned version; the label of a localised build that
        differs only in language or in a marketing suffix (we compare after removing spaces and brackets).

    Fixtures
        tests/rules/t9_store_disclosure/test_listing_app_mismatch.py
    """

    id = "T9.listing_app_mismatch"
    problem_type = 9
    title_zh = "应用分发平台展示的APP名称或版本与实际不符"
    title_en = "Store listing name or version differs from the app"
    severity = Severity.LOW
    legal_basis = ("164号文 四(9)", "T/TAF 078.9")
    requires = frozenset({"listing", "manifest"})

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        m = facts.manifest
        assert m is not None
        for listing in facts.listings:
            if listing.package and listing.package != m.package:
                continue
            diffs: dict[str, dict[str, str]] = {}
            if (
                listing.version_name
                and m.version_name
                and listing.version_name.strip() != m.version_name.strip()
            ):
                diffs["version_name"] = {"listing": listing.version_name, "apk": m.version_name}
            if m.label and _norm(listing.app_name) != _norm(m.label) and not m.label.startswith("@"):
                diffs["app_name"] = {"listing": listing.app_name, "apk": m.label}
            if not diffs:
                continue
            yield self.finding(
                facts,
                key=f"{listing.store}:{m.package}:{','.join(sorted(diffs))}",
                subject=store_subject(listing),
                confidence=Confidence.OBSERVED,
                evidence=[
                    listing_evidence(listing, differences=diffs),
                    Evidence(
                        "manifest", {"package": m.package, "version_name": m.version_name, "label": m.label}
                    ),
                ],
                detail_zh="商店展示与APK不一致：" + "、".join(sorted(diffs)),
                detail_en="Listing differs from the APK in: " + ", ".join(sorted(diffs)),
            )


def _norm(s: str) -> str:
    return "".join(ch for ch in s.lower() if ch.isalnum())
