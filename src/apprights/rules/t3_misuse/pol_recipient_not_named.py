"""Personal information goes to a third party that the privacy policy does not name."""

from __future__ import annotations

from collections.abc import Iterator

from apprights.model.facts import AppFacts, SdkHit
from apprights.model.finding import Confidence, Evidence, Finding, Severity, Subject
from apprights.model.pi import pi_label
from apprights.model.policy import PolicyFacts, normalise_name
from apprights.rules._pol_common import MAX_EVIDENCE, policy_absence, runtime_transfers, sdk_named_in_policy
from apprights.rules._rt_common import transfer_subject
from apprights.rules.base import Rule, RuleContext, app_subject, sdk_subject


def _vendor_named(policy: PolicyFacts, vendor: str) -> bool:
    v = normalise_name(vendor)
    if len(v) < 4:
        return False
    return any(
        v[:6] in normalise_name(r) or normalise_name(r) in v for r in policy.third_party_recipients if r
    )


class PolicyRecipientNotNamed(Rule):
    """PI is (or can be) sent to a third party that the privacy policy does not name as a recipient.

    What it detects
        Runtime: ``runtime.sessions[*].pi_transfers`` to an SDK or third-party host whose SDK (catalogue id) or
        host is not named in the policy. Static: a used SDK that reads PI (``SdkHit.pi_apis``) and has network
        endpoints (``SdkHit.hosts``) while the policy names neither the SDK nor its vendor among the recipients
        (``PolicyFacts.third_party_recipients``, SDK list).

    Legal basis
        164号文 一(3) (私自向其他应用或服务器发送、共享用户个人信息); 认定方法 五(1).

    Evidence and confidence
        ``trace`` items (event index, host, PI type) with ``observed_in_violation`` for runtime transfers;
        for the static side ``dex`` items (SDK, PI APIs, hosts) with ``present``. Always a ``policy`` item of
        what was searched for.

    Known false positives
        Recipients named by a brand the catalogue does not know; SDK traffic without personal data (static
        side); a separate third-party sharing list that was not supplied.

    Fixtures
        tests/rules/t3_misuse/test_pol_recipient_not_named.py
    """

    id = "T3.pol_recipient_not_named"
    problem_type = 3
    title_zh = "向隐私政策未列明的第三方提供个人信息"
    title_en = "Personal information goes to a third party the privacy policy does not name"
    severity = Severity.HIGH
    legal_basis = ("164号文 一(3)", "认定方法 五(1)")
    requires = frozenset({"policy"})

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        policy = facts.policy
        if policy is None:
            return
        reported: set[str] = set()
        by_target: dict[str, list[Evidence]] = {}
        types: dict[str, set[str]] = {}
        senders: dict[
            str, Subject
        ] = {}  # the subject T1/T3 give the request (an SDK not detected statically, or a host)
        for tr in runtime_transfers(facts):
            sdk = facts.sdk(tr.sdk_id) if tr.sdk_id else None
            entry = ctx.knowledge.sdks.get(tr.sdk_id) if tr.sdk_id else None
            if sdk is not None and self._named(policy, sdk):
                continue
            if sdk is None and entry is not None:
                names = [entry.name_zh, entry.name_en, entry.id]
                if policy.find_sdk(names, entry.vendor, entry.id) or policy.mention(names):
                    continue
                if _vendor_named(policy, entry.vendor):
                    continue
            if sdk is None and entry is None and policy.mention([tr.host]) is not None:
                continue
            target = tr.sdk_id or tr.host
            if tr.transfer is not None and target not in senders:
                senders[target] = transfer_subject(facts, tr.transfer, ctx)
            ev = by_target.setdefault(target, [])
            types.setdefault(target, set()).add(tr.pi_type)
            if len(ev) < MAX_EVIDENCE:
                ev.append(
                    Evidence(
                        "trace",
                        {
                            "trace": tr.trace,
                            "index": tr.index,
                            "t": tr.t,
                            "host": tr.host,
                            "pi_type": tr.pi_type,
                        },
                    )
                )
        for target, ev in sorted(by_target.items()):
            sdk = facts.sdk(target)
            labels = "、".join(pi_label(p) for p in sorted(types[target]))
            reported.add(target)
            yield self.finding(
                facts,
                key=target,
                subject=sdk_subject(sdk) if sdk is not None else senders.get(target) or app_subject(facts),
                evidence=[*ev, policy_absence(policy, f"recipient {target}")],
                confidence=Confidence.OBSERVED_IN_VIOLATION,
                detail_zh=f"运行中{labels}被发送至{target}，隐私政策未列明该第三方。",
                detail_en=f"{', '.join(pi_label(p, 'en') for p in sorted(types[target]))} sent to {target}, "
                "which the privacy policy does not name.",
                merge_key=f"T3.third_party:{target}",
            )
        for sdk in facts.sdks:
            if sdk.id in reported or not sdk.used or not sdk.pi_apis or not sdk.hosts:
                continue
            if self._named(policy, sdk):
                continue
            yield self.finding(
                facts,
                key=sdk.id,
                subject=sdk_subject(sdk),
                evidence=[
                    Evidence("dex", {"sdk": sdk.id, "pi_apis": sdk.pi_apis[:5], "hosts": sdk.hosts[:5]}),
                    policy_absence(policy, f"recipient {sdk.name or sdk.name_en} / {sdk.vendor}"),
                ],
                confidence=Confidence.PRESENT,
                severity=Severity.MEDIUM,
                detail_zh=f"{sdk.name or sdk.name_en}读取个人信息并连接其服务器，隐私政策未列明该第三方。",
                detail_en=f"{sdk.name_en or sdk.name} reads personal information and talks to its servers; the "
                "policy does not name it.",
                merge_key=f"T3.third_party:{sdk.id}",
            )

    @staticmethod
    def _named(policy: PolicyFacts, sdk: SdkHit) -> bool:
        return sdk_named_in_policy(policy, sdk) is not None or _vendor_named(policy, sdk.vendor)
