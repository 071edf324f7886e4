"""Third-party SDKs that read PI and talk to their own servers: possible sharing with a third party."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts, CallSite, SdkHit
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.model.pi import pi_label
from apprights.rules._static_common import (
    WEAK_ONLY,
    best_confidence,
    capped,
    entry_classes,
    pi_reads_by_subject,
    sdk_starts_early,
    site_confidence,
)
from apprights.rules.base import Rule, RuleContext


class SdkPiToThirdParty(Rule):
    """A third-party SDK that reads personal information and has its own network endpoints.

    What it detects
        Each SDK whose code reads PI (call sites attributed to its classes, or its ``pi_apis``) and that can
        send it to its vendor: hosts of the SDK were found in the code (``SdkHit.hosts``, or code hosts the SDK
        catalogue assigns to it), the catalogue lists vendor hosts for it, or its category is a networked one
        (``network_categories``: push, analytics, ads, crash …). Data the SDK reads goes to the SDK vendor, a
        third party to the user, which needs notice and separate consent.

    Legal basis
        164号文 一(3) (私自向其他应用或服务器发送、共享用户个人信息); 认定方法 五(1) (客户端…嵌入SDK向第三方提供);
        T/TAF 078.5.

    Evidence and confidence
        ``dex`` items: the PI call sites or SDK APIs and the vendor hosts. Confidence ``reachable`` when one of
        its reads is reached from an entry point in the dex scanner's call graph (for facts without the graph:
        when the SDK runs at start-up), otherwise ``present``; never more, as only traffic shows the send. The merge key
        ``T3.third_party:<sdk id>`` joins a runtime network finding for the same SDK.

    Severity
        Medium; low when every read is through an API the catalogue flags ``weak`` (``weak_only`` in the first
        evidence item): an SDK that only asks for the operator name or the external-storage path is a lead.

    Known false positives
        The SDK may keep the data on the device or send only hashed/aggregated values; the app may disclose the
        SDK with purpose and PI types in its third-party SDK list (a policy rule checks that); self-hosted
        deployments send to the app operator, not the vendor. Not reported (known false negatives by design):
        development libraries the catalogue flags ``library`` (okhttp, glide …) and Android support/AndroidX
        code, whose calls count as the app's (``_static_common``); a vendor SDK wrongly flagged as a library
        would be missed.

    Fixtures
        tests/rules/t3_misuse/test_sdk_pi_to_third_party.py; tests/rules/test_static_code_precision.py (no entry
        path: ``present``).
    """

    id = "T3.sdk_pi_to_third_party"
    problem_type = 3
    title_zh = "第三方SDK读取个人信息并可向其服务器发送"
    title_en = "Third-party SDK reads personal information and can send it to its servers"
    severity = Severity.MEDIUM
    legal_basis = ("164号文 一(3)", "认定方法 五(1)", "T/TAF 078.5")
    requires = frozenset({"code"})
    default_options: ClassVar[dict[str, Any]] = {
        "network_categories": ["push", "analytics", "ads", "crash", "map", "social", "payment", "identity"],
        "ignore_pi": ["device_info"],
    }

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        opt = type(self)
        networked = set(ctx.option(opt, "network_categories"))
        reads = pi_reads_by_subject(facts, ctx, set(ctx.option(opt, "ignore_pi")))
        code_hosts = list(facts.code.hosts) if facts.code else []
        for sid, r in sorted(reads.items()):
            sdk = r.sdk
            if sdk is None:
                continue  # the app itself: first party
            hosts = set(sdk.hosts)
            for h in code_hosts:
                entry = ctx.knowledge.sdks.match_host(h)
                if entry is not None and entry.id == sdk.id:
                    hosts.add(h)
            entry = ctx.knowledge.sdks.get(sdk.id)
            vendor_hosts = sorted(entry.hosts) if entry is not None else []
            if not hosts and not vendor_hosts and sdk.category not in networked:
                continue
            why = sdk_starts_early(facts, sdk, r.sites)
            net: dict[str, object] = {"sdk": sdk.id, "category": sdk.category}
            if not r.strong:
                net.update(WEAK_ONLY)
            if hosts:
                net["hosts_in_code"] = sorted(hosts)
            if vendor_hosts:
                net["vendor_hosts"] = vendor_hosts
            labels_zh = "、".join(pi_label(p) for p in sorted(r.pi_types))
            labels_en = ", ".join(pi_label(p, "en") for p in sorted(r.pi_types))
            yield self.finding(
                facts,
                key="pi_to_third_party",
                subject=r.subject,
                confidence=_confidence(facts, r.sites, sdk, why),
                severity=None if r.strong else Severity.LOW,
                evidence=capped([Evidence("dex", net), *r.evidence]),
                merge_key=f"T3.third_party:{sid}",
                detail_zh=f"第三方SDK {r.subject.name} 读取{labels_zh}，并具有向其服务器发送数据的能力",
                detail_en=f"Third-party SDK {r.subject.name} reads {labels_en} and can send data to its servers",
            )


def _confidence(facts: AppFacts, sites: list[CallSite], sdk: SdkHit, why: str | None) -> Confidence:
    """With the dex scanner's call graph, ``reachable`` needs a read reached from an entry point; without it,
    the SDK running at start-up is enough."""
    if facts.code is not None and facts.code.reach_depth > 0 and sites:
        return best_confidence(site_confidence(s, entry_classes(facts), sdk) for s in sites)
    return Confidence.REACHABLE if why else Confidence.PRESENT
