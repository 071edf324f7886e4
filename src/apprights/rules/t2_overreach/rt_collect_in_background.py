"""Runtime: personal information collected while the app is in the background, the screen is off, or after
the app was killed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity, Subject
from apprights.model.runtime import BACKGROUND_STATES
from apprights.rules._rt_common import (
    actor_subject,
    capped,
    is_collection,
    labels,
    sessions,
    trace_evidence,
)
from apprights.rules.base import Rule, RuleContext

_STATE_ZH = {
    "background": "后台",
    "screen_off": "静默（锁屏）",
    "killed": "进程被杀后",
    "not_running": "应用退出后",
}
_STATE_EN = {
    "background": "in the background",
    "screen_off": "with the screen off",
    "killed": "after the app was killed",
    "not_running": "after the app exited",
}


class CollectInBackground(Rule):
    """PI read in the background, with the screen off, or after the app was killed (保活后台).

    What it detects
        Hooked PI API calls whose effective app state is ``background``, ``screen_off``, ``killed`` or
        ``not_running``. One finding per subject and state.

    Legal basis
        164号文 一(2) (特别是在静默状态下或在后台运行时，超范围收集个人信息); 认定方法 四(1).

    Evidence and confidence
        ``trace`` evidence per distinct API (time, state, phase, stack frame). Confidence
        ``observed_in_violation``.

    Known false positives
        Background functions the user turned on and the policy declares (navigation, run tracking, music
        recognition): list their APIs in ``allowed_apis``. Calls attributed to the wrong state when the driver's
        ``app_state`` events lag behind the real transition.

    Fixtures
        tests/fixtures/traces/spec_example.jsonl (AMap location in background), t2_violate.jsonl,
        t2_clean.jsonl; tests/rules/t2_overreach/test_rt_collect_in_background.py.
    """

    id = "T2.collect_in_background"
    problem_type = 2
    title_zh = "后台、静默或进程被杀后收集个人信息"
    title_en = "Personal information collected in the background, screen-off or after the app was killed"
    severity = Severity.HIGH
    legal_basis = ("164号文 一(2)", "认定方法 四(1)")
    requires = frozenset({"runtime"})
    default_options: ClassVar[dict[str, Any]] = {"ignore_pi_types": ["device_info"], "allowed_apis": []}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        ignore = set(ctx.option(type(self), "ignore_pi_types"))
        allowed = set(ctx.option(type(self), "allowed_apis"))
        groups: dict[tuple[str, str], tuple[Subject, list[tuple[str, Evidence]]]] = {}
        for s in sessions(facts):
            seen: set[tuple[str, str, str]] = set()
            for c in s.api_calls:
                st = c.at.state
                if st not in BACKGROUND_STATES or c.pi_type in ignore or c.api in allowed:
                    continue
                if not is_collection(ctx, c.api):
                    continue
                if (c.api, c.actor.id, st) in seen:
                    continue
                seen.add((c.api, c.actor.id, st))
                sub = actor_subject(facts, c.actor)
                ev = trace_evidence(
                    s, c.at, kind="api_call", api=c.api, pi_type=c.pi_type, frame=c.actor.frame
                )
                groups.setdefault((sub.id, st), (sub, []))[1].append((c.pi_type, ev))
        for (_, state), (subject, items) in groups.items():
            pis = [i[0] for i in items]
            yield self.finding(
                facts,
                key=f"state:{state}",
                subject=subject,
                confidence=Confidence.OBSERVED_IN_VIOLATION,
                evidence=capped(i[1] for i in items),
                detail_zh=f"{subject.name}在{_STATE_ZH.get(state, state)}状态下收集{labels(pis, 'zh')}",
                detail_en=f"{subject.name} collected {labels(pis, 'en')} {_STATE_EN.get(state, state)}",
            )
