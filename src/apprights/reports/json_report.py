"""The ``apprights-report/1`` JSON (see shared/spec/report-format.md): stable fields first, extras after."""

from __future__ import annotations

import json
from typing import Any

from apprights import __version__
from apprights.engine.runner import RuleRun
from apprights.knowledge import Knowledge
from apprights.model.facts import AppFacts, to_jsonable
from apprights.model.finding import Finding, Severity
from apprights.reports.english import english_names, localise, subject_dict

REPORT_FORMAT = "apprights-report/1"
MAX_CALL_SITES = 2000


def build_report(facts: AppFacts, run: RuleRun, knowledge: Knowledge, *, total_s: float) -> dict[str, Any]:
    from apprights.engine.scan import ruleset_version

    m = facts.manifest
    app: dict[str, Any] = {
        "package": facts.package,
        "version_name": m.version_name if m else "",
        "version_code": m.version_code if m else 0,
        "label": m.label if m else "",
        "min_sdk": m.min_sdk if m else 0,
        "target_sdk": m.effective_target_sdk if m else 0,
        "category": facts.category,
        "signer_sha256": facts.apk.signer_sha256 if facts.apk else [],
        "developer": facts.developer,
    }
    if m is None and facts.runtime is not None:
        session_meta = getattr(facts.runtime, "version_name", None)
        if session_meta:
            app["version_name"] = session_meta
    permissions = [
        {
            "name": p.name,
            "dangerous": p.dangerous,
            "protection_level": p.protection_level,
            **({"max_sdk": p.max_sdk} if p.max_sdk else {}),
            **({"implied_by": p.implied_by} if p.implied_by else {}),
        }
        for p in ([*m.permissions, *m.implicit_permissions] if m else [])
    ]
    sdks = [
        {
            "id": s.id,
            "name": s.name,
            "name_en": s.name_en,
            "vendor": s.vendor,
            "category": s.category,
            "used": s.used,
            "evidence": list(s.evidence),
            "class_count": s.class_count,
            "pi_apis": list(s.pi_apis),
            "init_at_startup": s.init_at_startup,
            "source": s.source,
        }
        for s in facts.sdks
    ]
    findings = [f for f in run.findings if not is_coverage_note(f)]
    names = english_names(facts, run.findings, knowledge)
    localise(run.findings, names)
    counts = {str(s): 0 for s in Severity}
    for f in findings:
        counts[str(f.severity)] += 1
    report: dict[str, Any] = {
        "format": REPORT_FORMAT,
        "tool": {
            "name": "apprights",
            "version": __version__,
            "ruleset": ruleset_version(),
            "knowledge": knowledge.version(),
            "knowledge_versions": knowledge.versions(),
        },
        "inputs": [
            {"kind": i.kind, "path": i.path, "sha256": i.sha256, "size": i.size} for i in facts.inputs
        ],
        "app": app,
        "permissions": permissions,
        "sdks": sdks,
        "findings": [{**f.to_dict(), "subject": subject_dict(f, names)} for f in findings],
        "errors": list(facts.errors) + list(run.errors),
        "timing": {"total_s": round(total_s, 4)},
        "summary": {
            "findings": len(findings),
            "by_severity": counts,
            "by_problem_type": _by_type(findings),
            "rules_run": len(run.ran),
            "rules_skipped": run.skipped,
        },
        "coverage": coverage(facts, run),
    }
    if facts.code is not None:
        report["code"] = {
            "dex_files": facts.code.dex_files,
            "dex_bytes": facts.code.dex_bytes,
            "class_count": facts.code.class_count,
            "call_site_count": len(facts.code.call_sites),
            # the sensitive-API call sites themselves (caller → API), capped: the evidence a reviewer checks
            "call_sites": [
                {
                    "api": c.api,
                    "caller_class": c.caller_class,
                    "caller_method": c.caller_method,
                    "dex": c.dex,
                    "count": c.count,
                }
                for c in facts.code.call_sites[:MAX_CALL_SITES]
            ],
            "hosts": facts.code.hosts[:200],
            "warnings": facts.code.warnings,
        }
    if facts.manifest is not None and facts.manifest.warnings:
        report["manifest_warnings"] = facts.manifest.warnings
    if facts.apk is not None and facts.apk.warnings:
        report["apk_warnings"] = facts.apk.warnings
    return report


def is_coverage_note(f: Finding) -> bool:
    """A "finding" that only records an input the scan lacked (``T1.pol_no_policy`` without ``--policy``: its
    policy evidence says ``supplied: false``). It says what the scan could not check, not what the app did, so
    the report lists it under ``coverage.notes`` and it counts in no statistics, campaign summary or exit code."""
    return any(e.source == "policy" and e.data.get("supplied") is False for e in f.evidence)


def _note(f: Finding) -> dict[str, Any]:
    d = f.to_dict()
    return {k: d[k] for k in ("rule", "problem_type", "title", "detail", "evidence") if k in d}


def coverage(facts: AppFacts, run: RuleRun) -> dict[str, Any]:
    """What this scan looked at: the kinds of evidence it had and the rules that ran to completion. A re-test
    diff counts an earlier finding as fixed only when its rule ran here on the same kinds of evidence."""
    from apprights.engine.runner import available_facts
    from apprights.reports.diff import EVIDENCE_KINDS, FACT_KIND

    have = {FACT_KIND[f] for f in available_facts(facts) if f in FACT_KIND}
    return {
        "evidence": [k for k in EVIDENCE_KINDS if k in have],
        "rules_run": sorted(run.ran),
        "rules_skipped": dict(sorted(run.skipped.items())),
        "notes": [_note(f) for f in run.findings if is_coverage_note(f)],
        "rules_failed": sorted(
            e["input"].removeprefix("rule:") for e in run.errors if e["input"].startswith("rule:")
        ),
    }


def _by_type(findings: list[Finding]) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in findings:
        out[str(f.problem_type)] = out.get(str(f.problem_type), 0) + 1
    return dict(sorted(out.items(), key=lambda kv: int(kv[0])))


def dumps(report: dict[str, Any]) -> str:
    return json.dumps(to_jsonable(report), ensure_ascii=False, indent=2, sort_keys=False)


def error_report(input_kind: str, path: str, message: str, *, total_s: float = 0.0) -> dict[str, Any]:
    """The report line a batch writes for an app whose input could not be read."""
    return {
        "format": REPORT_FORMAT,
        "tool": {"name": "apprights", "version": __version__},
        "inputs": [{"kind": input_kind, "path": path, "sha256": "", "size": 0}],
        "app": {"package": "", "version_name": "", "version_code": 0, "label": ""},
        "permissions": [],
        "sdks": [],
        "findings": [],
        "errors": [{"input": path, "message": message}],
        "timing": {"total_s": round(total_s, 4)},
    }
