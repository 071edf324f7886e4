"""Runtime: a jump triggered by a shake weaker than 15 m/s², 35° and 3 s."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.model.runtime import Moment
from apprights.rules._rt_common import sessions, trace_evidence
from apprights.rules.base import Rule, RuleContext
from apprights.rules.t7_download.rt_download_outside_button import download_jumps


class ShakeJump(Rule):
    """A synthetic shake below the thresholds still made the app jump (download, other app, new screen).

    What it detects
        A ``sensor_injection`` whose acceleration is below ``min_accel_ms2`` (15 m/s²), or rotation below
        ``min_rotation_deg`` (35°), or duration below ``min_duration_s`` (3 s) — a missing value counts as
        below — followed within ``window_s`` (default 5 s), with no tap in between, by a download or app-store
        jump, a start of or intent to another package, or a new ``ui`` screen.

    Legal basis
        26号文 (不得利用高灵敏度"摇一摇"等易造成误触发的方式诱导用户操作); T/TAF 078.7-2022 (≥15 m/s², ≥35°, ≥3 s);
        164号文 三(7).

    Evidence and confidence
        ``trace`` evidence of the injection (its parameters) and of the jump. Confidence
        ``observed_in_violation``.

    Known false positives
        A screen change that was already under way (a timed splash ending) when the shake was injected.

    Fixtures
        tests/fixtures/traces/t7_violate.jsonl and t7_clean.jsonl (strong shake only); tests/rules/t7_download/test_rt_shake_jump.py.
    """

    id = "T7.shake_jump"
    problem_type = 7
    title_zh = "“摇一摇”灵敏度过高，轻微晃动即跳转"
    title_en = "Shake below the thresholds triggers a jump"
    severity = Severity.HIGH
    legal_basis = ("26号文", "T/TAF 078.7", "164号文 三(7)")
    requires = frozenset({"runtime"})
    default_options: ClassVar[dict[str, Any]] = {
        "min_accel_ms2": 15.0,
        "min_rotation_deg": 35.0,
        "min_duration_s": 3.0,
        "window_s": 5.0,
    }

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        cls = type(self)
        th_a = float(ctx.option(cls, "min_accel_ms2"))
        th_r = float(ctx.option(cls, "min_rotation_deg"))
        th_d = float(ctx.option(cls, "min_duration_s"))
        window = float(ctx.option(cls, "window_s"))
        evidence: list[Evidence] = []
        for s in sessions(facts):
            if not s.sensor_injections:
                continue
            jumps = [(at, extra) for at, _target, extra in download_jumps(s)]
            jumps += [
                (it.at, {"kind": "intent", "target_package": it.target_package})
                for it in s.intents
                if it.foreign
            ]
            jumps.sort(key=lambda j: j[0].index)
            for inj in s.sensor_injections:
                a, r, d = inj.accel_ms2 or 0.0, inj.rotation_deg or 0.0, inj.duration_s or 0.0
                if a >= th_a and r >= th_r and d >= th_d:
                    continue
                i0 = inj.at.index
                k = bisect.bisect_right(s.taps, i0, key=lambda tp: tp.index)
                horizon = inj.at.t + window
                if k < len(s.taps):
                    horizon = min(horizon, s.taps[k].t)
                jump: tuple[Moment, dict[str, Any]] | None = None
                j = bisect.bisect_right(jumps, i0, key=lambda x: x[0].index)
                if j < len(jumps) and jumps[j][0].t <= horizon:
                    jump = jumps[j]
                if jump is None:
                    n = bisect.bisect_right(s.screens, i0, key=lambda x: x.at.index)
                    if n < len(s.screens) and s.screens[n].at.t <= horizon:
                        scr = s.screens[n]
                        if n == 0 or s.screens[n - 1].screen != scr.screen:
                            jump = (scr.at, {"kind": "ui", "screen": scr.screen})
                if jump is None:
                    continue
                evidence.append(
                    trace_evidence(
                        s,
                        inj.at,
                        kind="sensor_injection",
                        sensor=inj.sensor,
                        accel_ms2=inj.accel_ms2,
                        rotation_deg=inj.rotation_deg,
                        duration_s=inj.duration_s,
                    )
                )
                evidence.append(trace_evidence(s, jump[0], **jump[1]))
                if len(evidence) >= 12:
                    break
        if evidence:
            e = evidence[0].data
            yield self.finding(
                facts,
                key="shake_jump",
                confidence=Confidence.OBSERVED_IN_VIOLATION,
                evidence=evidence[:12],
                detail_zh=f"加速度{e.get('accel_ms2')} m/s²、转角{e.get('rotation_deg')}°、持续{e.get('duration_s')}秒的晃动"
                f"（低于{th_a:g} m/s²/{th_r:g}°/{th_d:g}秒）即触发跳转",
                detail_en=f"A shake of {e.get('accel_ms2')} m/s², {e.get('rotation_deg')}°, {e.get('duration_s')} s "
                f"(below {th_a:g} m/s² / {th_r:g}° / {th_d:g} s) triggered a jump",
            )
