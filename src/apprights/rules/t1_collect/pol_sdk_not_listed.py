"""SDKs the app uses that are missing from the privacy policy's third-party SDK list."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.rules._pol_common import policy_absence, sdk_named_in_policy, sdk_names
from apprights.rules.base import Rule, RuleContext, sdk_subject


class PolicySdkNotListed(Rule):
    """A third-party SDK in use is not named in the privacy policy (SDK list or text).

    What it detects
        Every SDK with ``used=True`` in ``facts.sdks`` whose catalogue id, Chinese or English name is found
        neither in the policy's SDK list (``PolicyFacts.sdk_list``, resolved against the catalogue) nor
        anywhere in the policy text. SDKs whose category is in ``ignore_categories`` are skipped.

    Legal basis
        认定方法 二(1) (未逐一列出…嵌入的第三方代码、插件收集使用个人信息的目的、方式、范围); 164号文 一(1);
        T/TAF 078.6.

    Evidence and confidence
        ``dex`` item (SDK id, matched package prefixes, class count) and a ``policy`` item listing the names searched
        for and the size of the SDK list. Confidence ``reachable``: the SDK is used, not merely bundled.

    Known false positives
        The SDK list is a separate document not supplied with the scan; the policy names the SDK by a brand not
        in the catalogue (e.g. a product name of the vendor); SDKs that process no personal information.

    Fixtures
        tests/rules/t1_collect/test_pol_sdk_not_listed.py
    """

    id = "T1.pol_sdk_not_listed"
    problem_type = 1
    title_zh = "使用的第三方SDK未在隐私政策中列明"
    title_en = "A third-party SDK in use is not listed in the privacy policy"
    severity = Severity.MEDIUM
    legal_basis = ("认定方法 二(1)", "164号文 一(1)", "T/TAF 078.6")
    requires = frozenset({"sdks", "policy"})
    default_options: ClassVar[dict[str, Any]] = {"ignore_categories": ["ui", "devtools"]}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        policy = facts.policy
        if policy is None:
            return
        ignore = set(ctx.option(type(self), "ignore_categories"))
        for sdk in facts.sdks:
            if not sdk.used or sdk.category in ignore:
                continue
            if sdk_named_in_policy(policy, sdk) is not None:
                continue
            names = sdk_names(sdk)
            yield self.finding(
                facts,
                key=sdk.id,
                subject=sdk_subject(sdk),
                evidence=[
                    Evidence(
                        "dex",
                        {"sdk": sdk.id, "prefixes": sdk.matched_prefixes[:5], "class_count": sdk.class_count},
                    ),
                    policy_absence(policy, "SDK " + " / ".join(names), sdk_list_size=len(policy.sdk_list)),
                ],
                confidence=Confidence.REACHABLE,
                detail_zh=f"应用使用了{sdk.name or sdk.name_en}（{sdk.vendor}），隐私政策及其第三方SDK列表均未列明。",
                detail_en=f"The app uses {sdk.name_en or sdk.name} ({sdk.vendor}); neither the privacy policy nor "
                "its SDK list names it.",
                merge_key=f"T1.sdk_not_listed:{sdk.id}",
            )
