"""Account sync adapters used to keep the app alive (账户同步保活)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity, Subject
from apprights.rules._static_common import capped, component_evidence, sdk_for_component
from apprights.rules.base import Rule, RuleContext, app_subject, sdk_subject

SYNC_ACTION = "android.content.SyncAdapter"
AUTH_ACTION = "android.accounts.AccountAuthenticator"


class SyncAdapterKeepAlive(Rule):
    """Sync adapter services: the system starts them periodically on its own.

    What it detects
        Enabled services with the ``android.content.SyncAdapter`` action or a ``android.content.SyncAdapter``
        meta-data entry. The sync manager binds such a service whenever it schedules a sync, which push and
        "保活" SDKs use to get their process restarted periodically without the user. An account
        authenticator in the same subject is noted as supporting evidence. One finding per subject.

    Legal basis
        164号文 二(6) (频繁自启动); 26号文 (不得…进行唤醒); T/TAF 078.10.

    Evidence and confidence
        ``manifest`` items for the sync service (and the authenticator). Confidence ``declared``.
        Severity low.

    Known false positives
        Apps that really synchronise an account (mail, calendar, contacts, cloud drives) need a sync adapter;
        the finding then only asks that the behaviour be disclosed and switchable.

    Fixtures
        tests/rules/t6_autostart/test_sync_adapter.py
    """

    id = "T6.sync_adapter_keepalive"
    problem_type = 6
    title_zh = "注册账户同步服务（SyncAdapter），可被系统周期性拉起"
    title_en = "Sync adapter service the system starts periodically"
    severity = Severity.LOW
    legal_basis = ("164号文 二(6)", "26号文", "T/TAF 078.10")
    requires = frozenset({"manifest"})
    default_options: ClassVar[dict[str, Any]] = {}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        m = facts.manifest
        if m is None:
            return
        groups: dict[str, tuple[Subject, list[Evidence], bool]] = {}
        auth: dict[str, list[Evidence]] = {}
        for comp in m.components:
            if comp.kind != "service" or not comp.enabled:
                continue
            sdk = sdk_for_component(facts, ctx, comp)
            subject = sdk_subject(sdk) if sdk is not None else app_subject(facts)
            if SYNC_ACTION in comp.actions or SYNC_ACTION in comp.meta_data:
                g = groups.setdefault(subject.id, (subject, [], True))
                g[1].append(component_evidence(comp, role="sync_adapter"))
            elif AUTH_ACTION in comp.actions:
                auth.setdefault(subject.id, []).append(component_evidence(comp, role="account_authenticator"))
        for sid, (subject, evidence, _) in sorted(groups.items()):
            yield self.finding(
                facts,
                key="sync_adapter",
                subject=subject,
                confidence=Confidence.DECLARED,
                evidence=capped([*evidence, *auth.get(sid, [])]),
                merge_key=f"T6.self_start:{sid}:sync",
                detail_zh="注册了账户同步服务，系统可在用户未打开应用时周期性启动其进程",
                detail_en="A sync adapter lets the system start the process periodically without the user",
            )
