"""PI permissions or PI-reading APIs outside the necessary set of the app's category."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity, Subject
from apprights.model.pi import DEVICE_IDENTIFIERS, pi_label
from apprights.rules._static_common import (
    SIGNATURE_LOOKUP,
    SubjectResolver,
    best_confidence,
    capped,
    content_uris_by_method,
    entry_classes,
    is_dangerous,
    is_signature_lookup,
    only_library,
    permission_evidence,
    signature_lookups,
    site_confidence,
    site_evidence,
    site_pi_types,
)
from apprights.rules.base import Rule, RuleContext, app_subject


class PiOutsideCategory(Rule):
    """Personal information outside the necessary set of the app's category.

    What it detects
        The app's category (``--category``, one of the 39 types of 14号文) is looked up in the category table;
        every PI type that the app's dangerous permissions stand for, or that an API its code calls reads, and
        that is not in the category's necessary set is reported, once per subject (the app or the SDK whose
        classes call the API) and PI type. Device identifiers (IMEI, IMSI, ICCID, Android ID, serial, MAC, OAID) are
        never necessary, whatever the table says. PI types in ``ignore_pi`` (low-sensitivity device information
        by default) are not reported.

    Legal basis
        164号文 一(2) (非服务所必需…超范围收集个人信息); 认定方法 四(1); 14号文 第四条 and its category table;
        T/TAF 078.1.

    Evidence and confidence
        ``dex`` items for each call site (caller class and method → API) and ``manifest`` items for the
        permissions. Confidence ``reachable`` when a caller is a manifest component, the Application class or
        belongs to an SDK initialised at start-up; ``present`` for other call sites; ``declared`` when only a
        permission shows the PI type.

    Known false positives
        Extended (non-basic) functions may lawfully collect more PI with separate consent, e.g. location for a
        "nearby" feature of a news app; code present in the APK may never run; the category given may be wrong.
        Library code (Android support/AndroidX, e.g. ``TwilightManager`` reading the last location for the
        DayNight theme, and catalogue ``library`` SDKs) counts as the app's, noted ``library`` in the evidence;
        a finding resting only on library call sites (no permission, no app code), or only on walks over the installed
        packages that read signatures (``signature_lookup``, see ``T2.installed_apps_read``), is reported at low
        severity.

    Fixtures
        tests/rules/t2_overreach/test_pi_outside_category.py
    """

    id = "T2.pi_outside_category"
    problem_type = 2
    title_zh = "收集超出所属类型必要范围的个人信息"
    title_en = "Personal information beyond the necessary set of the app's category"
    severity = Severity.MEDIUM
    legal_basis = ("164号文 一(2)", "认定方法 四(1)", "14号文 第四条", "T/TAF 078.1")
    requires = frozenset({"manifest", "code", "category"})
    default_options: ClassVar[dict[str, Any]] = {"ignore_pi": ["device_info", "storage", "ip", "sensors"]}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        if not facts.category or facts.manifest is None:
            return
        category = ctx.knowledge.categories.find(facts.category)
        if category is None:
            return
        ignore = set(ctx.option(type(self), "ignore_pi"))
        device_ids = {str(p) for p in DEVICE_IDENTIFIERS}
        necessary = set(category.necessary_pi) - device_ids

        def relevant(pi: str | None) -> bool:
            return bool(pi) and pi not in necessary and pi not in ignore

        # (subject id) -> pi type -> evidence/confidences
        subjects: dict[str, Subject] = {}
        evidence: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
        confidences: dict[tuple[str, str], list[Confidence]] = defaultdict(list)

        app = app_subject(facts)
        subjects[app.id] = app
        for decl in facts.manifest.permissions:
            if decl.name in category.necessary_permissions:
                continue
            info = ctx.knowledge.permissions.get(decl.name)
            pi = info.pi_type if info is not None else None
            if pi is None or not relevant(pi) or not is_dangerous(decl.dangerous, decl.name, ctx):
                continue
            evidence[(app.id, pi)].append(permission_evidence(decl.name, pi_type=pi))
            confidences[(app.id, pi)].append(Confidence.DECLARED)

        entries = entry_classes(facts)
        uris = content_uris_by_method(facts)
        resolve = SubjectResolver(facts, ctx)
        lookups = signature_lookups(facts)
        for site in facts.code.call_sites if facts.code else []:
            if resolve.platform(site.caller_class):
                continue  # platform-library code is nobody's collection (its wrappers' callers are sites)
            for pi in sorted(p for p in site_pi_types(ctx, site, uris) if relevant(p)):
                subject, sdk = resolve(site.caller_class)
                subjects[subject.id] = subject
                k = (subject.id, pi)
                lib = resolve.library(site.caller_class)
                extra: dict[str, Any] = {"library": lib} if lib else {}
                if is_signature_lookup(site, lookups):
                    extra["signature_lookup"] = SIGNATURE_LOOKUP
                evidence[k].append(site_evidence(site, pi_type=pi, **extra))
                confidences[k].append(site_confidence(site, entries, sdk))

        for (sid, pi), items in sorted(evidence.items()):
            yield self.finding(
                facts,
                key=f"{category.no}:{pi}",
                subject=subjects[sid],
                confidence=best_confidence(confidences[(sid, pi)]),
                severity=Severity.LOW if only_library(items) or _only_lookups(items) else None,
                evidence=capped(items),
                merge_key=f"T2.pi:{sid}:{pi}",
                detail_zh=f"{category.name}的必要个人信息（{category.necessary_text or '无'}）不包括{pi_label(pi)}",
                detail_en=f"{pi_label(pi, 'en')} is not necessary information for category {category.name}"
                f" (necessary: {', '.join(sorted(necessary)) or 'none'})",
            )


def _only_lookups(items: list[Evidence]) -> bool:
    """Every item a walk over the installed packages for a signature (``signature_lookup``) or library code."""
    return all("signature_lookup" in e.data or "library" in e.data for e in items)
