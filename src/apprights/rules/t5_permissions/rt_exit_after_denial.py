"""Runtime: the app exits or crashes right after the user denied a permission."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.rules._rt_common import sessions, tap_within, trace_evidence
from apprights.rules.base import Rule, RuleContext

DENIED = frozenset({"denied", "denied_forever"})


class ExitAfterDenial(Rule):
    """The app's process exits, crashes or is gone within seconds after a permission was denied.

    What it detects
        A ``permission_result`` of ``denied``/``denied_forever`` followed within ``window_s`` (default 5 s) by a
        ``process_exit`` (exit or crash) of the app, or by an ``app_state`` of ``killed``/``not_running``, with
        no user tap in between. One finding per denied permission.

    Legal basis
        164号文 二(5) (用户拒绝相关授权申请后，应用自动退出或关闭); T/TAF 078.4; 14号文 第四条.

    Evidence and confidence
        Two ``trace`` items: the denial and the exit. Confidence ``observed_in_violation``.

    Known false positives
        An unrelated crash that happens to follow the denial; a driver that force-stops the app as part of the
        scenario (it should record a tap or a note).

    Fixtures
        tests/fixtures/traces/t5_violate.jsonl and t5_clean.jsonl; tests/rules/t5_permissions/test_rt_exit_after_denial.py.
    """

    id = "T5.exit_after_denial"
    problem_type = 5
    title_zh = "用户拒绝权限后应用自动退出或关闭"
    title_en = "App exits after a permission was denied"
    severity = Severity.HIGH
    legal_basis = ("164号文 二(5)", "T/TAF 078.4", "14号文 第四条")
    requires = frozenset({"runtime"})
    default_options: ClassVar[dict[str, Any]] = {"window_s": 5.0}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        window = float(ctx.option(type(self), "window_s"))
        found: dict[str, list[Evidence]] = {}
        for s in sessions(facts):
            ends = [
                (e.at.index, e.at.t, "process_exit", e.reason)
                for e in s.exits
                if e.process in ("", s.package)
            ]
            ends += [
                (c.index, c.t, "app_state", c.state) for c in s.states if c.state in ("killed", "not_running")
            ]
            ends.sort(key=lambda x: x[0])
            for r in s.permission_results:
                if r.result not in DENIED or r.permission in found:
                    continue
                k = bisect.bisect_right(ends, r.at.index, key=lambda e: e[0])
                for index, t, kind, what in ends[k : k + 1]:
                    if t - r.at.t > window or tap_within(s, t, t - r.at.t):
                        break
                    found[r.permission] = [
                        trace_evidence(
                            s, r.at, kind="permission_result", permission=r.permission, result=r.result
                        ),
                        Evidence("trace", s.evidence(index, t, kind=kind, what=what)),
                    ]
                    break
        for perm, evs in found.items():
            delay = evs[1].data["t"] - evs[0].data["t"]
            yield self.finding(
                facts,
                key=f"exit_after_denial:{perm}",
                confidence=Confidence.OBSERVED_IN_VIOLATION,
                evidence=evs,
                detail_zh=f"拒绝{perm}后{delay:.1f}秒应用退出",
                detail_en=f"The app ended {delay:.1f} s after {perm} was denied",
            )
