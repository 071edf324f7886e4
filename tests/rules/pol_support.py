"""Helpers for the privacy-policy rule tests: real policy extraction from small texts, plain fact literals."""

from __future__ import annotations

from apprights.extractors.policy import extract_policy_bytes
from apprights.knowledge import Knowledge
from apprights.model.facts import (
    AppFacts,
    CallSite,
    CodeFacts,
    Component,
    IntentFilter,
    ManifestFacts,
    PermissionDecl,
    SdkHit,
)
from apprights.model.finding import Finding
from apprights.model.policy import PolicyFacts
from apprights.rules.base import Rule, RuleContext

BASE_POLICY = """# 示例App隐私政策
生效日期：2024年3月1日
示例科技有限公司（以下简称“我们”）是示例App的运营者。
一、我们如何收集和使用您的个人信息
1. 为了帮助您完成注册，我们会收集您的手机号码。
2. 为了向您推荐附近的服务，我们会收集您的位置信息。
二、您的权利
您可以查询、更正、删除您的个人信息，也可以在【我的-设置-账号与安全】中注销账号。
三、联系我们
如您有任何投诉、举报，可发送邮件至 privacy@example.com，我们将在15个工作日内回复。
"""


def policy(extra: str = "", base: str = BASE_POLICY, knowledge: Knowledge | None = None) -> PolicyFacts:
    return extract_policy_bytes(
        (base + extra).encode("utf-8"),
        source="policy.md",
        sdk_catalogue=knowledge.sdks if knowledge is not None else None,
    )


def manifest(*permissions: str, components: list[Component] | None = None) -> ManifestFacts:
    perms = [
        PermissionDecl(
            name=p if "." in p else f"android.permission.{p}", protection_level="dangerous", dangerous=True
        )
        for p in permissions
    ]
    return ManifestFacts(package="com.example.app", permissions=perms, components=components or [])


def receiver(name: str, *actions: str) -> Component:
    return Component(kind="receiver", name=name, intent_filters=[IntentFilter(actions=list(actions))])


def code(*apis: tuple[str, str]) -> CodeFacts:
    return CodeFacts(call_sites=[CallSite(api=a, caller_class=c, caller_method="m") for a, c in apis])


def sdk(sdk_id: str, name: str, name_en: str, vendor: str, category: str, **kw: object) -> SdkHit:
    return SdkHit(id=sdk_id, name=name, name_en=name_en, vendor=vendor, category=category, used=True, **kw)  # type: ignore[arg-type]


def run(rule: type[Rule], facts: AppFacts, knowledge: Knowledge) -> list[Finding]:
    return list(rule().check(facts, RuleContext(knowledge)))


def runtime(*, reads: list[tuple[str, str]] = (), transfers: list[tuple[str, str | None, str]] = ()):  # type: ignore[assignment]
    """RuntimeFacts with one session: ``reads`` (api, pi_type) and ``transfers`` (host, sdk_id, pi_type)."""
    from apprights.model.runtime import (
        Actor,
        ApiCall,
        Moment,
        PiTransfer,
        RuntimeFacts,
        SessionHeader,
        TraceSession,
    )

    session = TraceSession(
        trace="t.jsonl", number=0, header=SessionHeader(format="apprights-trace/1", package="com.example.app")
    )
    for i, (api, pi) in enumerate(reads):
        at = Moment(index=i, t=float(i), phase="agreed", state="foreground")
        session.api_calls.append(ApiCall(at, api, pi, "", "", Actor("app", "com.example.app", "app")))
    for j, (host, sdk_id, pi) in enumerate(transfers):
        at = Moment(index=100 + j, t=100.0 + j, phase="agreed", state="foreground")
        actor = Actor("sdk" if sdk_id else "app", sdk_id or "com.example.app", sdk_id or "app")
        session.pi_transfers.append(
            PiTransfer(
                at=at, host=host, url=f"https://{host}/x", method="POST", plaintext=False,
                party="sdk" if sdk_id else "third", sdk_id=sdk_id, pi_type=pi, value_sha256="0" * 64,
                encoding="raw", where="body", read_index=0, read_t=0.0, reader=actor, sender=actor,
            )
        )  # fmt: skip
    return RuntimeFacts(package="com.example.app", traces=["t.jsonl"], sessions=[session])
