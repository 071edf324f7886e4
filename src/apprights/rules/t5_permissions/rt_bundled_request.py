"""Runtime: several permission groups requested in one system dialog (一揽子申请)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.rules._rt_common import permission_group, sessions, trace_evidence
from apprights.rules.base import Rule, RuleContext


class BundledPermissionRequest(Rule):
    """One permission request asks for more than ``max_groups`` permission groups at once.

    What it detects
        A ``permission_request`` whose permissions belong to more than ``max_groups`` (default 1) permission
        groups (LOCATION, PHONE, CONTACTS …; the knowledge table, else the permission name). One finding per
        combination of groups.

    Legal basis
        认定方法 四(6) (一次性打开多个可收集个人信息的权限); 164号文 二(5); 26号文 (不得一揽子同意打开多个非必要权限).

    Evidence and confidence
        ``trace`` evidence of each such request (permissions, groups, phase). Confidence
        ``observed_in_violation``.

    Known false positives
        A function that truly needs two groups at the same moment (a video call: camera and microphone);
        raise ``max_groups`` or review.

    Fixtures
        tests/fixtures/traces/spec_example.jsonl (three groups right after consent) and t5_clean.jsonl;
        tests/rules/t5_permissions/test_rt_bundled_request.py.
    """

    id = "T5.bundled_permission_request"
    problem_type = 5
    title_zh = "一次性申请多个权限（一揽子索权）"
    title_en = "Several permission groups requested at once"
    severity = Severity.MEDIUM
    legal_basis = ("认定方法 四(6)", "164号文 二(5)", "26号文")
    requires = frozenset({"runtime"})
    default_options: ClassVar[dict[str, Any]] = {"max_groups": 1}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        max_groups = int(ctx.option(type(self), "max_groups"))
        found: dict[str, list[Evidence]] = {}
        for s in sessions(facts):
            for r in s.permission_requests:
                groups = sorted({permission_group(p, ctx.knowledge) for p in r.permissions})
                if len(groups) <= max_groups:
                    continue
                evs = found.setdefault("+".join(groups), [])
                if len(evs) < 12:
                    evs.append(
                        trace_evidence(
                            s, r.at, kind="permission_request", permissions=r.permissions, groups=groups
                        )
                    )
        for combo, evs in found.items():
            yield self.finding(
                facts,
                key=f"bundled:{combo}",
                confidence=Confidence.OBSERVED_IN_VIOLATION,
                evidence=evs,
                detail_zh=f"一次申请{len(combo.split('+'))}组权限：{'、'.join(combo.split('+'))}",
                detail_en=f"{len(combo.split('+'))} permission groups requested at once: {', '.join(combo.split('+'))}",
            )
