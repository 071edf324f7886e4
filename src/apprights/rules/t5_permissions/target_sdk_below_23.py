"""Dangerous permissions granted at install because targetSdkVersion < 23 (一揽子授权)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.rules._static_common import is_dangerous
from apprights.rules.base import Rule, RuleContext


class TargetSdkBelow23(Rule):
    """Dangerous permissions granted all at once at install because targetSdkVersion is below 23.

    What it detects
        An app whose effective ``targetSdkVersion`` (``targetSdkVersion``, or ``minSdkVersion`` when it is not
        declared) is below ``min_target_sdk`` (default 23, Android 6.0) and that declares at least one dangerous
        permission. Such an app never shows runtime permission prompts: installing it grants every dangerous
        permission at once, a bundled ("一揽子") consent the user cannot refuse item by item. The permissions
        Android grants implicitly (``ManifestFacts.implicit_permissions``: READ_PHONE_STATE and storage below
        SDK 4, READ_CALL_LOG with READ_CONTACTS below 16 …) count too and are listed apart.

    Legal basis
        164号文 二(5) (过度索取权限); 认定方法 四(6) (一次性要求同意打开多个权限); 26号文 (不得一揽子同意打开多个
        非必要权限); T/TAF 078.4.

    Evidence and confidence
        One ``manifest`` evidence item with the target/min SDK levels and the dangerous permissions. Confidence
        ``declared``: the manifest alone decides how Android grants the permissions.

    Known false positives
        None for the grant behaviour itself. Stores stopped accepting targetSdk < 23 years ago, so such APKs are
        mostly old or side-loaded builds; Android 10+ shows a one-off review screen for them, which still asks
        for the whole bundle at once.

    Fixtures
        tests/rules/t5_permissions/test_target_sdk_below_23.py (factories and an end-to-end APK with
        targetSdkVersion 22 and READ_CONTACTS).
    """

    id = "T5.target_sdk_below_23"
    problem_type = 5
    title_zh = "targetSdkVersion低于23，安装时一揽子授予全部危险权限"
    title_en = "targetSdkVersion below 23: all dangerous permissions granted at install"
    severity = Severity.HIGH
    legal_basis = ("164号文 二(5)", "认定方法 四(6)", "26号文", "T/TAF 078.4")
    requires = frozenset({"manifest"})
    default_options: ClassVar[dict[str, Any]] = {"min_target_sdk": 23}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        m = facts.manifest
        if m is None:
            return
        limit = int(ctx.option(type(self), "min_target_sdk"))
        target = m.effective_target_sdk
        if target >= limit:
            return
        # what Android grants without a request (WRITE_EXTERNAL_STORAGE and READ_PHONE_STATE below SDK 4, split
        # permissions) is granted at install too
        dangerous = sorted(
            {
                p.name
                for p in [*m.permissions, *m.implicit_permissions]
                if (p.max_sdk is None or p.max_sdk >= 23) and is_dangerous(p.dangerous, p.name, ctx)
            }
        )
        implicit = sorted({p.name for p in m.implicit_permissions} & set(dangerous))
        if not dangerous:
            return
        yield self.finding(
            facts,
            key="target_sdk_below_23",
            confidence=Confidence.DECLARED,
            evidence=[
                Evidence(
                    "manifest",
                    {
                        "target_sdk": m.target_sdk,
                        "min_sdk": m.min_sdk,
                        "effective_target_sdk": target,
                        "dangerous_permissions": dangerous,
                        **({"implicit_permissions": implicit} if implicit else {}),
                    },
                )
            ],
            detail_zh=f"targetSdkVersion={target}（低于{limit}），安装即授予{len(dangerous)}项危险权限："
            + "、".join(dangerous),
            detail_en=f"targetSdkVersion={target} (below {limit}): {len(dangerous)} dangerous permissions granted at install: "
            + ", ".join(dangerous),
        )
