"""Reading the clipboard (剪切板)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Finding, Severity
from apprights.rules._static_common import (
    SELF_QUERY_APIS,
    best_confidence,
    capped,
    entry_classes,
    group_sites_by_subject,
    site_confidence,
    site_evidence,
)
from apprights.rules.base import Rule, RuleContext


class ClipboardRead(Rule):
    """Code that reads the clipboard.

    What it detects
        Calls of ``ClipboardManager.getPrimaryClip`` or the deprecated ``getText`` (and every API the
        sensitive-API catalogue types as ``clipboard`` with kind ``read``, except presence checks such as
        ``hasPrimaryClip``), once per subject. SDKs reading the
        clipboard are reported under the SDK. Reading the clipboard at launch or resume, when the user did not
        tap "paste", is what stores and regulators object to.

    Legal basis
        164号文 一(2); 认定方法 四(1); T/TAF 078.1.

    Evidence and confidence
        ``dex`` items (caller class and method → API). Confidence ``reachable`` when a caller is a manifest
        component, the Application class or belongs to an SDK initialised at start-up, otherwise ``present``.

    Known false positives
        A "paste" button or an in-app share-code feature the user triggers explicitly reads the clipboard
        lawfully; the static scan cannot see whether a read is user-triggered. ``setPrimaryClip`` (writing) is
        not reported.

    Fixtures
        tests/rules/t2_overreach/test_clipboard_read.py
    """

    id = "T2.clipboard_read"
    problem_type = 2
    title_zh = "读取剪切板内容"
    title_en = "Reads the clipboard"
    severity = Severity.MEDIUM
    legal_basis = ("164号文 一(2)", "认定方法 四(1)", "T/TAF 078.1")
    requires = frozenset({"code"})
    default_options: ClassVar[dict[str, Any]] = {
        "apis": [
            "android.content.ClipboardManager.getPrimaryClip",
            "android.content.ClipboardManager.getText",
            "android.text.ClipboardManager.getText",
        ]
    }

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        apis = set(ctx.option(type(self), "apis"))
        readers = {
            a.api for a in ctx.knowledge.sensitive_apis.apis if a.pi_type == "clipboard" and a.kind == "read"
        } - SELF_QUERY_APIS
        groups = group_sites_by_subject(facts, ctx, apis | readers)
        entries = entry_classes(facts)
        for sid, (subject, sdk, sites) in sorted(groups.items()):
            yield self.finding(
                facts,
                key="clipboard",
                subject=subject,
                confidence=best_confidence(site_confidence(s, entries, sdk) for s in sites),
                evidence=capped(site_evidence(s, pi_type="clipboard") for s in sites),
                merge_key=f"T2.pi:{sid}:clipboard",
                detail_zh=f"{subject.name}的代码读取剪切板内容（{len(sites)}处调用）",
                detail_en=f"Code of {subject.name} reads the clipboard ({len(sites)} call sites)",
            )
