"""Dangerous permissions requested in the manifest that the privacy policy does not explain."""

from __future__ import annotations

from collections.abc import Iterator

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.rules._pol_common import policy_absence
from apprights.rules.base import Rule, RuleContext


class PolicyPermissionNotExplained(Rule):
    """A dangerous permission the app requests is not explained (name + purpose) in the privacy policy.

    What it detects
        Each dangerous permission in ``manifest.permissions`` (platform protection level) for which neither it
        nor a permission of the same group appears in ``PolicyFacts.permissions_explained`` (a sentence or
        permission-table row naming the permission together with a purpose: 用于/为了/以便 …).

    Legal basis
        164号文 二(5) (未及时明确告知用户索取权限的目的和用途); 认定方法 二(3).

    Evidence and confidence
        A ``manifest`` item for the permission and a ``policy`` item of what was searched for. Confidence
        ``declared`` (manifest and policy are both declarations).

    Known false positives
        Permissions merged in from libraries that the app never requests at run time; the purpose explained
        only in the in-app rationale dialog; group-level wording the lexicon does not know.

    Fixtures
        tests/rules/t5_permissions/test_pol_permission_not_explained.py
    """

    id = "T5.pol_permission_not_explained"
    problem_type = 5
    title_zh = "申请的敏感权限未在隐私政策中说明目的"
    title_en = "A dangerous permission is not explained in the privacy policy"
    severity = Severity.MEDIUM
    legal_basis = ("164号文 二(5)", "认定方法 二(3)")
    requires = frozenset({"manifest", "policy"})

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        policy, manifest = facts.policy, facts.manifest
        if policy is None or manifest is None:
            return
        table = ctx.knowledge.permissions
        explained = set(policy.permissions_explained)
        explained_groups = {g for g in (self._group(ctx, n) for n in explained) if g}
        for p in manifest.permissions:
            if not (p.dangerous or table.is_dangerous(p.name)):
                continue
            if p.name in explained:
                continue
            group = p.group or self._group(ctx, p.name)
            if group and group in explained_groups:
                continue
            info = table.get(p.name)
            label_zh = info.label_zh if info is not None and info.label_zh else p.name.rsplit(".", 1)[-1]
            yield self.finding(
                facts,
                key=p.name,
                evidence=[
                    Evidence("manifest", {"permission": p.name, "group": group or ""}),
                    policy_absence(policy, f"explanation of {p.name} ({label_zh}) with a purpose"),
                ],
                confidence=Confidence.DECLARED,
                detail_zh=f"应用申请{label_zh}权限（{p.name}），隐私政策未说明其目的和用途。",
                detail_en=f"The app requests {p.name}; the privacy policy does not explain its purpose.",
            )

    @staticmethod
    def _group(ctx: RuleContext, name: str) -> str | None:
        info = ctx.knowledge.permissions.get(name)
        return info.group if info is not None else None
