"""Runtime: ad or recommendation SDKs receive device identifiers while no personalisation switch exists."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity, Subject
from apprights.rules._rt_common import PERSONALISATION_SWITCH, capped, labels, sessions, transfer_subject
from apprights.rules.base import Rule, RuleContext
from apprights.rules.t3_misuse.rt_pi_to_third_party import transfer_evidence


class AdIdentifiersNoSwitch(Rule):
    """Ad/recommendation SDK requests carry device identifiers, and neither the policy nor the UI offers a way
    to turn personalisation off.

    What it detects
        PI-in-traffic matches of PI types in ``pi_types`` (device identifiers, OAID, installed apps by default)
        in requests to hosts of SDKs whose catalogue category is in ``sdk_categories`` (ads, recommendation), or
        sent by such an SDK — when the supplied policy has no opt-out for targeted push
        (``policy.targeted_push_opt_out``) or no policy was supplied, and no recorded ``ui`` screen shows a
        personalisation switch (个性化推荐/个性化广告/推荐管理/广告管理 …). One finding per SDK.

    Legal basis
        164号文 一(4) (未提供关闭定向推送功能的选项); 认定方法 三(6) (未提供非定向推送信息的选项).

    Evidence and confidence
        ``trace`` evidence per (host, PI type) request. Confidence ``observed``: identifiers reaching an ad SDK
        show targeting is possible; the missing switch is judged from the policy and the screens recorded.

    Known false positives
        A switch on a screen the driver did not visit; an ad SDK used only for non-personalised ads.

    Fixtures
        tests/fixtures/traces/t4_violate.jsonl and t4_clean.jsonl (the switch screen);
        tests/rules/t4_targeted_push/test_rt_ad_identifiers_no_switch.py.
    """

    id = "T4.ad_identifiers_no_switch"
    problem_type = 4
    title_zh = "广告/推荐SDK获取设备标识符且未提供关闭个性化推荐的选项"
    title_en = "Ad SDK receives device identifiers with no personalisation opt-out"
    severity = Severity.MEDIUM
    legal_basis = ("164号文 一(4)", "认定方法 三(6)")
    requires = frozenset({"runtime"})
    default_options: ClassVar[dict[str, Any]] = {
        "sdk_categories": ["ads", "recommendation"],
        "pi_types": ["device_id", "imsi", "iccid", "android_id", "serial", "mac", "oaid", "installed_apps"],
    }

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        if facts.policy is not None and facts.policy.targeted_push_opt_out is not None:
            return
        cats = set(ctx.option(type(self), "sdk_categories"))
        pi_types = set(ctx.option(type(self), "pi_types"))
        for s in sessions(facts):
            for scr in s.screens:
                if PERSONALISATION_SWITCH.search(scr.all_text()):
                    return
        groups: dict[str, tuple[Subject, list[tuple[str, Evidence]]]] = {}
        for s in sessions(facts):
            seen: set[tuple[str, str]] = set()
            for x in s.pi_transfers:
                if x.pi_type not in pi_types or (x.host, x.pi_type) in seen:
                    continue
                sdk_id = x.sdk_id if x.party == "sdk" else (x.sender.id if x.sender.kind == "sdk" else None)
                sdk = ctx.knowledge.sdks.get(sdk_id) if sdk_id else None
                if sdk is None or sdk.category not in cats:
                    continue
                seen.add((x.host, x.pi_type))
                sub = transfer_subject(facts, x, ctx)
                groups.setdefault(sub.id, (sub, []))[1].append((x.pi_type, transfer_evidence(s, x)))
        why_zh = "未提供隐私政策" if facts.policy is None else "隐私政策未说明关闭定向推送的方式"
        why_en = "no privacy policy supplied" if facts.policy is None else "the policy gives no opt-out"
        for subject, items in groups.values():
            pis = [i[0] for i in items]
            ev = capped(i[1] for i in items)
            if not ev:
                continue
            yield self.finding(
                facts,
                key="ad_identifiers_no_switch",
                subject=subject,
                confidence=Confidence.OBSERVED,
                evidence=ev,
                detail_zh=f"{subject.name}获取{labels(pis, 'zh')}用于广告/推荐，且{why_zh}、界面未见个性化推荐开关",
                detail_en=f"{subject.name} receives {labels(pis, 'en')} for ads/recommendation; {why_en} "
                "and no personalisation switch was seen in the UI",
            )
