"""Runtime UI: an ad screen without a (working) close or skip button."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.model.runtime import UiScreen
from apprights.rules._rt_common import CLOSE_WORDS, has_word, sessions, trace_evidence
from apprights.rules.base import Rule, RuleContext
from apprights.rules.t7_download.rt_download_outside_button import download_jumps

_AD_SCREEN = re.compile(
    r"(Splash|Interstitial|Reward|Banner|Native)?Ad(Activity|View|Dialog|Window)|Interstitial|RewardVideo"
)


def is_ad_screen(scr: UiScreen) -> bool:
    if scr.consent_dialog:
        return False
    if any("广告" in t or t.strip() in ("AD", "Ad", "ad") for t in scr.texts):
        return True
    return bool(_AD_SCREEN.search(scr.screen))


def has_close(scr: UiScreen) -> bool:
    return any(
        has_word(f"{b.get('text', '')} {b.get('id', '')}", CLOSE_WORDS)
        or b.get("text", "").strip() in ("X", "x")
        for b in scr.buttons
    )


class AdNoClose(Rule):
    """An ad (开屏/弹窗) screen offers no close or skip button, or its close button leads somewhere else.

    What it detects
        (a) A ``ui`` screen recognised as an ad (text 广告/AD, or an ad activity/window name) whose buttons
        include none with close wording (关闭, 跳过, ×, close, skip) in text or id. (b) A tap on such a close
        button followed within ``window_s`` (default 3 s) by a download, an app-store jump or a start of another
        package (a fake close button). One finding per screen and kind.

    Legal basis
        26号文 (开屏和弹窗信息窗口提供清晰有效的关闭按钮); T/TAF 078.7 (信息窗口关不掉); 164号文 三(7).

    Evidence and confidence
        ``trace`` evidence of the screen (its buttons) and, for a fake close, the tap and the jump. Confidence
        ``observed`` for a missing button, ``observed_in_violation`` for a fake one.

    Known false positives
        A close button drawn inside the ad image that the collector cannot see as a button; a countdown that
        shows the skip button a few seconds later (the screen is recorded again then).

    Fixtures
        tests/fixtures/traces/t7_violate.jsonl and t7_clean.jsonl; tests/rules/t7_download/test_rt_ad_no_close.py.
    """

    id = "T7.ad_no_close"
    problem_type = 7
    title_zh = "广告窗口无有效关闭按钮"
    title_en = "Ad window without a working close button"
    severity = Severity.MEDIUM
    legal_basis = ("26号文", "T/TAF 078.7", "164号文 三(7)")
    requires = frozenset({"runtime"})
    default_options: ClassVar[dict[str, Any]] = {"window_s": 3.0}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        window = float(ctx.option(type(self), "window_s"))
        missing: dict[str, list[Evidence]] = {}
        closable: set[str] = set()
        fake: dict[str, list[Evidence]] = {}
        for s in sessions(facts):
            jumps = [(at, target) for at, target, _extra in download_jumps(s)]
            jumps += [(it.at, it.target_package) for it in s.intents if it.foreign]
            jumps.sort(key=lambda j: j[0].index)
            for i, scr in enumerate(s.screens):
                if not is_ad_screen(scr):
                    continue
                if not has_close(scr):
                    if scr.screen not in missing or len(missing[scr.screen]) < 12:
                        buttons = [b.get("text", "") or b.get("id", "") for b in scr.buttons]
                        missing.setdefault(scr.screen, []).append(
                            trace_evidence(s, scr.at, kind="ui", screen=scr.screen, buttons=buttons)
                        )
                    continue
                closable.add(scr.screen)
                if scr.screen in fake:
                    continue
                end_index = s.screens[i + 1].at.index if i + 1 < len(s.screens) else None
                k = bisect.bisect_right(s.taps, scr.at.index, key=lambda tp: tp.index)
                while k < len(s.taps) and (end_index is None or s.taps[k].index < end_index):
                    tap = s.taps[k]
                    k += 1
                    if not has_word(f"{tap.text} {tap.id}", CLOSE_WORDS):
                        continue
                    j = bisect.bisect_right(jumps, tap.index, key=lambda x: x[0].index)
                    if j < len(jumps) and jumps[j][0].t - tap.t <= window:
                        at, target = jumps[j]
                        fake[scr.screen] = [
                            Evidence(
                                "trace", s.evidence(tap.index, tap.t, kind="tap", text=tap.text, id=tap.id)
                            ),
                            trace_evidence(s, at, kind="jump", target=target),
                        ]
                        break
        for screen, evs in missing.items():
            if screen in closable:
                continue  # a later capture of the same screen shows the button (countdown)
            yield self.finding(
                facts,
                key=f"no_close:{screen}",
                confidence=Confidence.OBSERVED,
                evidence=evs[:12],
                detail_zh=f"广告页面{screen}没有关闭/跳过按钮",
                detail_en=f"The ad screen {screen} has no close or skip button",
            )
        for screen, evs in fake.items():
            yield self.finding(
                facts,
                key=f"fake_close:{screen}",
                confidence=Confidence.OBSERVED_IN_VIOLATION,
                evidence=evs[:12],
                detail_zh=f"点击广告页面{screen}的关闭按钮后发生跳转",
                detail_en=f"Tapping the close button of the ad screen {screen} jumped elsewhere",
            )
