"""An app ordered removed (下架) is still downloadable after the deadline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Finding, Severity
from apprights.rules.base import Rule, RuleContext
from apprights.rules.t9_store_disclosure._common import listing_evidence, store_subject


def _parse_ts(value: str) -> datetime | None:
    try:
        ts = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return ts.replace(tzinfo=None) if ts.tzinfo is None else ts.astimezone().replace(tzinfo=None)


class RemovedAppStillListed(Rule):
    """An app ordered removed (下架) is still downloadable after the deadline.

    What it detects
        A listing captured after a removal order's time plus ``grace_hours`` (default 24) that still shows the
        app as downloadable (``listed: true``). The removal orders come from the service (or the option
        ``removal_orders``: {store id: ISO time of the order}); without them the rule has nothing to judge.

    Legal basis
        164号文 四(10) (违法违规软件处理不及时); T/TAF 078.8.

    Evidence and confidence
        ``listing`` evidence with the capture time, the order time and the hours elapsed. Confidence
        ``observed``.

    Known false positives
        A listing captured from a cache or mirror, and capture times in a wrong time zone (give them with an
        offset).

    Fixtures
        tests/rules/t10_store_management/test_removed_app_still_listed.py
    """

    id = "T10.removed_app_still_listed"
    problem_type = 10
    title_zh = "应用分发平台未及时下架违法违规APP"
    title_en = "Store did not remove an app ordered removed"
    severity = Severity.HIGH
    legal_basis = ("164号文 四(10)", "T/TAF 078.8")
    requires = frozenset({"listing"})
    default_options: ClassVar[dict[str, Any]] = {"removal_orders": {}, "grace_hours": 24}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        orders = ctx.option(type(self), "removal_orders") or {}
        grace = float(ctx.option(type(self), "grace_hours"))
        if not isinstance(orders, dict):
            return
        for listing in facts.listings:
            ordered_raw = orders.get(listing.store)
            if not listing.listed or not isinstance(ordered_raw, str):
                continue
            ordered = _parse_ts(ordered_raw)
            captured = _parse_ts(listing.captured_at)
            if ordered is None or captured is None:
                continue
            if captured - ordered <= timedelta(hours=grace):
                continue
            hours = round((captured - ordered).total_seconds() / 3600, 1)
            yield self.finding(
                facts,
                key=f"{listing.store}:{listing.package or listing.app_name}",
                subject=store_subject(listing),
                confidence=Confidence.OBSERVED,
                evidence=[listing_evidence(listing, removal_ordered_at=ordered_raw, hours_after_order=hours)],
                detail_zh=f"下架通知后{hours}小时仍可下载",
                detail_en=f"still downloadable {hours} h after the removal order",
            )
