"""Runtime: several permission groups requested in one system dialog (一揽子申请)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.model.runtime import PermissionRequest
from apprights.rules._rt_common import permission_group, sessions, tap_within, trace_evidence
from apprights.rules.base import Rule, RuleContext


class BundledPermissionRequest(Rule):
    """One permission request asks for more than ``max_groups`` permission groups at once.

    What it detects
        A ``permission_request`` whose permissions belong to more than ``max_groups`` (default 1) permission
        groups (LOCATION, PHONE, CONTACTS …; the knowledge table, else the permission name), or several
        requests in a row, each within ``sequence_s`` (default 5 s) of the previous one with no user tap in
        between, that together span more than ``max_groups`` groups. One finding per combination of groups.

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
    default_options: ClassVar[dict[str, Any]] = {"max_groups": 1, "sequence_s": 5.0}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        max_groups = int(ctx.option(type(self), "max_groups"))
        sequence_s = float(ctx.option(type(self), "sequence_s"))
        found: dict[str, list[Evidence]] = {}
        for s in sessions(facts):
            chains: list[list[PermissionRequest]] = []
            for r in s.permission_requests:
                prev = chains[-1][-1] if chains else None
                if (
                    prev is not None
                    and r.at.t - prev.at.t <= sequence_s
                    and not tap_within(s, r.at.t, r.at.t - prev.at.t)
                ):
                    chains[-1].append(r)
                else:
                    chains.append([r])
            for chain in chains:
                groups = sorted({permission_group(p, ctx.knowledge) for r in chain for p in r.permissions})
                if len(groups) <= max_groups:
                    continue
                evs = found.setdefault("+".join(groups), [])
                for r in chain:
                    if len(evs) < 12:
                        evs.append(
                            trace_evidence(
                                s,
                                r.at,
                                kind="permission_request",
                                permissions=r.permissions,
                                requests_in_row=len(chain),
                            )
                        )
        for combo, evs in found.items():
            names = combo.split("+")
            yield self.finding(
                facts,
                key=f"bundled:{combo}",
                confidence=Confidence.OBSERVED_IN_VIOLATION,
                evidence=evs,
                detail_zh=f"一次（或无用户操作地连续）申请{len(names)}组权限：{'、'.join(names)}",
                detail_en=f"{len(names)} permission groups requested at once (or in a row without a user action): "
                + ", ".join(names),
            )
