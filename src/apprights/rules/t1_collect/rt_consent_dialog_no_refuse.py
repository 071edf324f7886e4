"""Runtime UI: a consent dialog that offers no real way to refuse."""

from __future__ import annotations

from collections.abc import Iterator

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Finding, Severity
from apprights.rules._rt_common import is_refuse, sessions, trace_evidence
from apprights.rules.base import Rule, RuleContext


class ConsentDialogNoRefuse(Rule):
    """The privacy-policy dialog has buttons, but none of them refuses (only 同意/好的/我知道了).

    What it detects
        A ``ui`` screen the extractor tied to a consent ``shown`` event (same time ± 1 s, or the first screen
        after it) that lists buttons, none of which is a refuse choice (不同意, 拒绝, 暂不同意, 退出, 仅浏览 …).
        Dialogs whose buttons were not captured are not judged.

    Legal basis
        164号文 一(1) (未经用户同意); 认定方法 三(4) (以默认选择同意等非明示方式征求同意); 认定方法 三(1).

    Evidence and confidence
        ``trace`` evidence of the screen with its button texts. Confidence ``observed_in_violation``.

    Known false positives
        A refuse link rendered as plain text rather than a button (the collector should list it under
        ``buttons``); dialogs in other languages with refuse wording outside the word list.

    Fixtures
        tests/fixtures/traces/t1_dialog_violate.jsonl and spec_example.jsonl (clean: 同意/不同意);
        tests/rules/t1_collect/test_rt_consent_dialog_no_refuse.py.
    """

    id = "T1.consent_dialog_no_refuse"
    problem_type = 1
    title_zh = "隐私政策弹窗未提供拒绝选项（仅有“好的/我知道了”）"
    title_en = "Consent dialog without a real refuse choice"
    severity = Severity.HIGH
    legal_basis = ("164号文 一(1)", "认定方法 三(4)", "认定方法 三(1)")
    requires = frozenset({"runtime"})

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        evidence = []
        for s in sessions(facts):
            for scr in s.screens:
                if not scr.consent_dialog or not scr.buttons:
                    continue
                texts = [b.get("text", "") or b.get("id", "") for b in scr.buttons]
                if any(is_refuse(x) for x in texts):
                    continue
                evidence.append(trace_evidence(s, scr.at, kind="ui", screen=scr.screen, buttons=texts))
        if evidence:
            buttons = evidence[0].data["buttons"]
            yield self.finding(
                facts,
                key="consent_dialog_no_refuse",
                confidence=Confidence.OBSERVED_IN_VIOLATION,
                evidence=evidence[:12],
                detail_zh=f"隐私政策弹窗仅提供按钮：{'、'.join(buttons)}，无拒绝选项",
                detail_en=f"The consent dialog only offers: {', '.join(buttons)}; there is no refuse choice",
            )
