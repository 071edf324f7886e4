"""No privacy policy, or a policy without any rules on collecting personal information."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.rules._pol_common import policy_absence, runtime_reads, static_pi_reads
from apprights.rules.base import Rule, RuleContext


class PolicyMissing(Rule):
    """An app that handles personal information has no privacy policy, or its policy has no collection rules.

    What it detects
        (a) The app declares dangerous permissions that give access to personal information, reads PI in code
        or at run time, but no privacy policy was supplied with the scan (a low-severity "needs review" item:
        the policy is an input the scan lacks, not proof that the app has none; it never fires for an app
        with no PI permissions and no PI reads, whatever SDKs it embeds); (b) a policy was supplied but names no personal-information types
        at all (``PolicyFacts.has_collection_rules`` is false).

    Legal basis
        认定方法 一(1) (无隐私政策或隐私政策中无收集使用个人信息规则); 164号文 一(1).

    Evidence and confidence
        (a) ``manifest``/``dex``/``trace`` items showing the app handles PI (PI permissions, PI call sites,
        runtime PI reads; used SDKs are listed as supporting evidence only) and a ``policy`` item recording that
        none was supplied (``supplied: false``, ``needs_review: true``); (b) a ``policy`` item recording what
        was searched for. Confidence ``declared``: the finding rests on declarations (manifest, policy), not on
        observed behaviour.

    Known false positives
        (a) fires on every scan of a PI-handling app run without ``--policy``: the app may well show a policy at
        run time, so it is reported as low severity with ``needs_review`` in its policy evidence for a
        reviewer to confirm; (b) policies published as images or in a language other than Chinese/English.

    Fixtures
        tests/rules/t1_collect/test_pol_no_policy.py
    """

    id = "T1.pol_no_policy"
    problem_type = 1
    title_zh = "无隐私政策或隐私政策中无个人信息收集使用规则"
    title_en = "No privacy policy, or no rules on collecting personal information in it"
    severity = Severity.MEDIUM
    legal_basis = ("认定方法 一(1)", "164号文 一(1)")
    requires = frozenset({"manifest"})
    default_options: ClassVar[dict[str, Any]] = {"ignore_pi": ["device_info", "ip", "storage"]}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        policy = facts.policy
        if policy is not None:
            if not policy.has_collection_rules:
                yield self.finding(
                    facts,
                    key="no_collection_rules",
                    evidence=[policy_absence(policy, "personal-information types collected (收集使用规则)")],
                    confidence=Confidence.DECLARED,
                    title_zh="隐私政策中无个人信息收集使用规则",
                    title_en="The privacy policy has no rules on collecting personal information",
                    detail_zh="隐私政策未列出收集的任何个人信息类型。",
                    detail_en="The privacy policy does not name any type of personal information collected.",
                )
            return
        # (a) no policy supplied: only for an app that handles PI (PI permissions, PI call sites or runtime
        # PI reads); used SDKs are supporting evidence, never the trigger on their own
        ignore = set(ctx.option(type(self), "ignore_pi"))
        evidence: list[Evidence] = []
        if facts.manifest is not None:
            for p in facts.manifest.permissions:
                info = ctx.knowledge.permissions.get(p.name)
                pi = info.pi_type if info is not None else None
                if pi and pi not in ignore and (p.dangerous or (info is not None and info.dangerous)):
                    evidence.append(Evidence("manifest", {"permission": p.name}))
        reads = static_pi_reads(facts, ctx, ignore)
        for pi in sorted(reads)[:5]:
            s = reads[pi].sites[0]
            evidence.append(Evidence("dex", {"api": s.api, "class": s.caller_class, "pi_type": pi}))
        seen_rt: set[str] = set()
        for r in runtime_reads(facts):
            if r.pi_type in ignore or r.pi_type in seen_rt or len(seen_rt) >= 5:
                continue
            seen_rt.add(r.pi_type)
            evidence.append(Evidence("trace", {"api": r.api, "pi_type": r.pi_type, "index": r.index}))
        if not evidence:
            return
        evidence = evidence[:10]
        evidence += [Evidence("dex", {"sdk": s.id}) for s in facts.sdks if s.used][:3]
        evidence.append(
            Evidence(
                "policy",
                {
                    "searched_for": "privacy policy",
                    "supplied": False,
                    "needs_review": True,
                    "note": "no policy was supplied to this scan (use --policy FILE)",
                },
            )
        )
        yield self.finding(
            facts,
            key="no_policy",
            evidence=evidence,
            confidence=Confidence.DECLARED,
            severity=Severity.LOW,
            title_zh="未提供隐私政策文本，需人工复核",
            title_en="No privacy policy was supplied to the scan (needs review)",
            detail_zh="应用申请个人信息相关权限或收集个人信息，但本次检测未提供隐私政策文本（未使用 --policy），"
            "无法核对收集使用规则。请人工确认应用是否提供隐私政策，或附上隐私政策重新检测。",
            detail_en="The app requests personal-information permissions or reads personal information, but no "
            "privacy policy was supplied to this scan (no --policy), so its collection rules could not be "
            "checked. Confirm manually whether the app shows a policy, or rescan with the policy attached.",
        )
