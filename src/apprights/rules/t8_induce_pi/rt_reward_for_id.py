"""Runtime UI: an ID number or face capture requested next to reward wording."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Finding, Severity
from apprights.model.runtime import UiScreen
from apprights.rules._rt_common import REWARD_WORDS, sessions, trace_evidence
from apprights.rules.base import Rule, RuleContext

_ID_FIELD = re.compile(r"身份证|证件号|实名|id_?card|id_?number|identity", re.I)
_FACE = re.compile(r"人脸|刷脸|活体|面部识别|face_?(scan|verify|capture|auth)|liveness", re.I)


def asks_for(scr: UiScreen) -> list[str]:
    """``id_number`` and/or ``biometric`` when the screen asks for them."""
    fields = " ".join(f"{i.get('hint', '')} {i.get('id', '')}" for i in scr.inputs)
    text = " ".join(scr.texts) + " " + " ".join(b.get("text", "") for b in scr.buttons)
    out = []
    if _ID_FIELD.search(fields) or re.search(r"身份证号|请输入.{0,4}证件号", text):
        out.append("id_number")
    if _FACE.search(text) or _FACE.search(scr.screen) or _FACE.search(fields):
        out.append("biometric")
    return out


class RewardForIdOrFace(Rule):
    """A screen asks for an ID-card number or a face capture, with reward wording on it or just before it.

    What it detects
        A ``ui`` screen with an input whose hint/id asks for an ID number (身份证/证件号/实名), or text asking
        for face capture (人脸/刷脸/活体), when the same screen or the screen shown before it (within
        ``window_s``, default 10 s) carries reward wording (红包, 积分, 奖励, 优惠, 领取, 现金, 提现, 抽奖, 福利 …).
        Skipped for a PI type that the app's category (``facts.category``) lists as necessary.

    Legal basis
        164号文 三(8) (通过积分、奖励、优惠等方式欺骗误导用户提供身份证号码以及个人生物特征信息); 认定方法 三(7).

    Evidence and confidence
        ``trace`` evidence of the asking screen (and the reward screen when it is a different one), with the
        reward words found. Confidence ``observed_in_violation``.

    Known false positives
        Real-name verification the law requires (games' anti-addiction checks, payment KYC) that happens to
        show a promotion; set the category, or review.

    Fixtures
        tests/fixtures/traces/t8_violate.jsonl and t8_clean.jsonl; tests/rules/t8_induce_pi/test_rt_reward_for_id.py.
    """

    id = "T8.reward_for_id_or_face"
    problem_type = 8
    title_zh = "以奖励、优惠等方式诱导用户提供身份证号码或人脸信息"
    title_en = "Rewards offered to obtain an ID number or face capture"
    severity = Severity.HIGH
    legal_basis = ("164号文 三(8)", "认定方法 三(7)")
    requires = frozenset({"runtime"})
    default_options: ClassVar[dict[str, Any]] = {"window_s": 10.0}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        window = float(ctx.option(type(self), "window_s"))
        necessary: set[str] = set()
        if facts.category:
            cat = ctx.knowledge.categories.find(facts.category)
            if cat is not None:
                necessary = set(cat.necessary_pi)
        reported: set[str] = set()
        for s in sessions(facts):
            prev: UiScreen | None = None
            for scr in s.screens:
                kinds = [k for k in asks_for(scr) if k not in necessary]
                context = [scr]
                if prev is not None and scr.at.t - prev.at.t <= window:
                    context.append(prev)
                prev = scr
                if not kinds:
                    continue
                words = sorted({w for c in context for w in REWARD_WORDS if w in c.all_text()})
                if not words:
                    continue
                for kind in kinds:
                    key = f"{kind}:{scr.screen}"
                    if key in reported:
                        continue
                    reported.add(key)
                    evs = [
                        trace_evidence(s, c.at, kind="ui", screen=c.screen, reward_words=words)
                        for c in context
                    ]
                    what_zh = "身份证号码" if kind == "id_number" else "人脸信息"
                    what_en = "an ID number" if kind == "id_number" else "a face capture"
                    yield self.finding(
                        facts,
                        key=key,
                        confidence=Confidence.OBSERVED_IN_VIOLATION,
                        evidence=evs,
                        detail_zh=f"页面{scr.screen}以“{'、'.join(words)}”等奖励诱导用户提供{what_zh}",
                        detail_en=f"The screen {scr.screen} asks for {what_en} next to reward wording ({', '.join(words)})",
                    )
