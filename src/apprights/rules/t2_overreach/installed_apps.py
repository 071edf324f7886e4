"""Reading the list of installed applications (软件安装列表)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.knowledge.sensitive_apis import unresolved_intent
from apprights.model.facts import AppFacts, CallSite
from apprights.model.finding import Confidence, Finding, Severity
from apprights.rules._static_common import (
    SIGNATURE_LOOKUP,
    SubjectResolver,
    best_confidence,
    capped,
    entry_classes,
    group_sites_by_subject,
    is_signature_lookup,
    method_name,
    only_library,
    permission_evidence,
    signature_lookups,
    site_confidence,
    site_evidence,
)
from apprights.rules.base import Rule, RuleContext, app_subject

QUERY_ALL_PACKAGES = "android.permission.QUERY_ALL_PACKAGES"


class InstalledAppsRead(Rule):
    """Code that reads the list of installed applications.

    What it detects
        Calls of ``PackageManager.getInstalledPackages``, ``getInstalledApplications`` and
        ``queryIntentActivities`` (option ``apis``; per-package queries such as ``getPackageInfo`` are left out as
        they mostly concern the app itself), grouped by the subject owning the calling class; and the ``QUERY_ALL_PACKAGES`` permission, without which an app
        targeting Android 11+ sees almost no other packages. The software list is not necessary PI for any of
        the 39 app categories.

    Legal basis
        164号文 一(2); 认定方法 四(1); T/TAF 077.6 (软件列表); 14号文 第四条.

    Evidence and confidence
        ``dex`` items (caller class and method → API) and a ``manifest`` item for QUERY_ALL_PACKAGES.
        Confidence ``reachable`` when a caller is an entry point or belongs to an SDK initialised at start-up,
        otherwise ``present``; ``declared`` for the permission alone. Severity is low when the only call is
        ``queryIntentActivities``, which apps also use to resolve a single intent, when every call is in
        catalogue ``library`` SDK code (noted ``library``), or when every ``getInstalledPackages``/
        ``getInstalledApplications`` call sits in a method that also reads package signatures
        (``Signature.toCharsString``/``toByteArray``, noted ``signature_lookup``): a walk over the packages to
        find a signing certificate, as HMS's ``AaidUtils.getSign`` finds its own. A collector could hide behind
        that pattern, so it lowers the severity and never drops the finding. Calls in platform-library code (support library,
        AndroidX, Google Play services client, e.g. ``ActivityChooserModel`` resolving share targets) are not
        reported; ``getRunningAppProcesses``/``getRunningTasks`` are not the installed-app list. A
        ``queryIntentActivities`` whose intent action is chosen at run time (neither a constant nor built from
        constant pieces in the method, nothing else narrowing it) is marked ``intent_target: unresolved`` and
        stays ``present``: it is not a presence check of one app, and not proof of the app list.

    Known false positives
        ``queryIntentActivities`` with a specific intent (checking that a share target or a browser exists) is
        not a list read; app stores, launchers and security apps need the list for their basic function.

    Fixtures
        tests/rules/t2_overreach/test_installed_apps.py; tests/rules/test_static_library_attribution.py
        (ActivityChooserModel); tests/rules/test_static_code_precision.py (running processes).
    """

    id = "T2.installed_apps_read"
    problem_type = 2
    title_zh = "读取软件安装列表"
    title_en = "Reads the list of installed applications"
    severity = Severity.MEDIUM
    legal_basis = ("164号文 一(2)", "认定方法 四(1)", "T/TAF 077.6", "14号文 第四条")
    requires = frozenset({"code"})
    default_options: ClassVar[dict[str, Any]] = {
        "apis": [
            "android.content.pm.PackageManager.getInstalledPackages",
            "android.content.pm.PackageManager.getInstalledApplications",
            "android.content.pm.PackageManager.queryIntentActivities",
            "android.app.ApplicationPackageManager.getInstalledPackages",
            "android.app.ApplicationPackageManager.getInstalledApplications",
        ],
        "weak_methods": ["queryIntentActivities"],
    }

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        apis = set(ctx.option(type(self), "apis"))
        weak = set(ctx.option(type(self), "weak_methods"))
        groups = group_sites_by_subject(facts, ctx, apis)
        entries = entry_classes(facts)
        declared = facts.manifest is not None and QUERY_ALL_PACKAGES in facts.manifest.permission_names()
        app = app_subject(facts)
        resolve = SubjectResolver(facts, ctx)
        lookups = signature_lookups(facts)
        for sid, (subject, sdk, sites) in sorted(groups.items()):
            evidence = [
                site_evidence(
                    s,
                    pi_type="installed_apps",
                    **_library(resolve, s.caller_class),
                    **_target(s),
                    **({"signature_lookup": SIGNATURE_LOOKUP} if is_signature_lookup(s, lookups) else {}),
                )
                for s in sites
            ]
            if declared and sid == app.id:
                evidence.append(permission_evidence(QUERY_ALL_PACKAGES))
            only_weak = (
                all(method_name(s.api) in weak or is_signature_lookup(s, lookups) for s in sites)
                or only_library(evidence)
            )
            yield self.finding(
                facts,
                key="installed_apps",
                subject=subject,
                confidence=best_confidence(
                    Confidence.PRESENT if _target(s) else site_confidence(s, entries, sdk) for s in sites
                ),
                severity=Severity.LOW if only_weak else None,
                evidence=capped(evidence),
                merge_key=f"T2.pi:{sid}:installed_apps",
                detail_zh="代码调用了读取软件安装列表的接口："
                + "、".join(sorted({method_name(s.api) for s in sites})),
                detail_en="Code calls APIs reading the installed-app list: "
                + ", ".join(sorted({method_name(s.api) for s in sites})),
            )
        if declared and app.id not in groups:
            yield self.finding(
                facts,
                key="installed_apps",
                confidence=Confidence.DECLARED,
                severity=Severity.LOW,
                evidence=[permission_evidence(QUERY_ALL_PACKAGES)],
                merge_key=f"T2.pi:{app.id}:installed_apps",
                detail_zh="声明了QUERY_ALL_PACKAGES权限，可获取全部已安装应用",
                detail_en="QUERY_ALL_PACKAGES is declared: the app can see every installed package",
            )


def _target(site: CallSite) -> dict[str, str]:
    """``queryIntentActivities`` on intents whose action is chosen at run time: marked, stage ``present``."""
    if site.args and all(unresolved_intent(v) for v in site.args):
        return {"intent_target": "unresolved"}
    return {}


def _library(resolve: SubjectResolver, class_name: str) -> dict[str, str]:
    lib = resolve.library(class_name)
    return {"library": lib} if lib else {}
