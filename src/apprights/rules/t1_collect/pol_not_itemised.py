"""The policy does not list purpose, method and scope of collection item by item."""

from __future__ import annotations

from collections.abc import Iterator

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Finding, Severity
from apprights.rules._pol_common import policy_absence
from apprights.rules.base import Rule, RuleContext


class PolicyNotItemised(Rule):
    """The privacy policy names personal information but does not tie purposes to it item by item.

    What it detects
        A policy with collection rules (``has_collection_rules``) where fewer than three sentences or table
        rows pair a declared PI type with a purpose (用于/为了/以便/以…为目的/在您…时 …, a purpose column, or
        the business-function heading the PI is listed under), covering fewer than three PI types or fewer than
        half of the specific PI types the policy names (``PolicyFacts.itemised`` is false): the typical "we
        may collect your information to improve our services" wording. The evidence also records which
        collection methods (方式: provided by the user, automatic, permission, third party) the policy states.

    Legal basis
        认定方法 二(1) (未逐一列出…收集使用个人信息的目的、方式、范围); 认定方法 二(4) (规则晦涩冗长);
        164号文 一(1).

    Evidence and confidence
        A ``policy`` item recording what was searched for and how many declarations were found. Confidence
        ``declared``.

    Known false positives
        Purposes given in wording outside the lexicon; itemisation in a separate "个人信息收集清单" document not
        supplied with the scan.

    Fixtures
        tests/rules/t1_collect/test_pol_not_itemised.py
    """

    id = "T1.pol_not_itemised"
    problem_type = 1
    title_zh = "隐私政策未逐一列出收集使用个人信息的目的、方式、范围"
    title_en = "The privacy policy does not itemise the purposes of each type of personal information"
    severity = Severity.LOW
    legal_basis = ("认定方法 二(1)", "认定方法 二(4)", "164号文 一(1)")
    requires = frozenset({"policy"})

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        policy = facts.policy
        if policy is None or not policy.has_collection_rules or policy.itemised:
            return
        with_purpose = sorted({d.pi_type for d in policy.declared_pi if d.purposes})
        yield self.finding(
            facts,
            key="not_itemised",
            evidence=[
                policy_absence(
                    policy,
                    "PI types paired with purposes (目的、方式、范围逐项列明)",
                    declared_types=sorted(policy.declared_types()),
                    types_with_purpose=with_purpose,
                    purpose_coverage=policy.purpose_coverage,
                    methods_stated=sorted(policy.collection_methods),
                )
            ],
            confidence=Confidence.DECLARED,
            detail_zh="隐私政策未逐项说明各类个人信息的收集目的、方式和范围。",
            detail_en="The policy does not state, item by item, why each type of personal information is collected.",
        )
