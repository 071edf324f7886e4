"""Runtime: personal information read, or permissions requested, after the user refused the privacy policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.rules._rt_common import (
    capped,
    group_by_subject,
    is_collection,
    labels,
    sessions,
    trace_evidence,
)
from apprights.rules.base import Rule, RuleContext

REFUSED = frozenset({"refused", "withdrawn"})


class CollectAfterRefusal(Rule):
    """Collection or a permission request after the user refused (or withdrew) consent.

    What it detects
        Hooked PI API calls and ``permission_request`` events while the consent phase is ``refused`` or
        ``withdrawn`` (the driver tapped 不同意/拒绝, or withdrew consent), one finding per subject (SDK from the
        stack, else the app).

    Legal basis
        认定方法 三(2) (用户明确表示不同意后，仍收集个人信息或打开可收集个人信息的权限); 164号文 一(1).

    Evidence and confidence
        ``trace`` evidence per distinct API or request (event index, time, phase, state). Confidence
        ``observed_in_violation``.

    Known false positives
        A browse-only (游客) mode that the policy describes and that needs the PI read; PI types in
        ``ignore_pi_types``.

    Fixtures
        tests/fixtures/traces/t1_refuse_violate.jsonl and t1_refuse_clean.jsonl;
        tests/rules/t1_collect/test_rt_collect_after_refusal.py.
    """

    id = "T1.collect_after_refusal"
    problem_type = 1
    title_zh = "用户拒绝隐私政策后仍收集个人信息或申请权限"
    title_en = "Collection or permission request after the user refused consent"
    severity = Severity.HIGH
    legal_basis = ("认定方法 三(2)", "164号文 一(1)")
    requires = frozenset({"runtime"})
    default_options: ClassVar[dict[str, Any]] = {"ignore_pi_types": ["device_info"]}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        ignore = set(ctx.option(type(self), "ignore_pi_types"))
        items: list[tuple[Any, tuple[str, Evidence]]] = []
        for s in sessions(facts):
            seen: set[tuple[str, str]] = set()
            for c in s.api_calls:
                if (
                    c.at.phase in REFUSED
                    and c.pi_type not in ignore
                    and (c.api, c.actor.id) not in seen
                    and is_collection(ctx, c.api)
                ):
                    seen.add((c.api, c.actor.id))
                    ev = trace_evidence(
                        s, c.at, kind="api_call", api=c.api, pi_type=c.pi_type, frame=c.actor.frame
                    )
                    items.append((c.actor, (c.pi_type, ev)))
            for r in s.permission_requests:
                if r.at.phase in REFUSED:
                    ev = trace_evidence(s, r.at, kind="permission_request", permissions=r.permissions)
                    items.append((r.actor, ("", ev)))
        for subject, group in group_by_subject(facts, items):
            pis = [g[0] for g in group if g[0]]
            reqs = sum(1 for g in group if not g[0])
            yield self.finding(
                facts,
                key="after_refusal",
                subject=subject,
                confidence=Confidence.OBSERVED_IN_VIOLATION,
                evidence=capped(g[1] for g in group),
                detail_zh=f"用户拒绝隐私政策后，{subject.name}"
                + (f"仍收集{labels(pis, 'zh')}" if pis else "")
                + (f"{'并' if pis else ''}申请权限{reqs}次" if reqs else ""),
                detail_en=f"After the user refused consent, {subject.name}"
                + (f" still collected {labels(pis, 'en')}" if pis else "")
                + (f"{' and' if pis else ''} requested permissions {reqs} time(s)" if reqs else ""),
            )
