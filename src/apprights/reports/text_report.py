"""Terminal report: readable, grouped by problem type and then by subject (the app or an SDK)."""

from __future__ import annotations

from typing import Any

from apprights.knowledge.legal import PROBLEM_TYPES, resolve
from apprights.reports.grouping import Cited, group_by_type, subject_label, visible_items

_SEV_MARK = {"high": "!!", "medium": "! ", "low": "- ", "info": "  "}


# Keys that locate the evidence rather than state it: printed after the substance.
_LOCATORS = (
    "listing",
    "trace",
    "path",
    "index",
    "session",
    "event",
    "captured_at",
    "url",
    "app_name",
    "store",
)


def _evidence_line(e: dict[str, Any], width: int = 200) -> str:
    src = e.get("source", "?")
    items = visible_items(e)
    items.sort(key=lambda kv: (kv[0] in _LOCATORS, _LOCATORS.index(kv[0]) if kv[0] in _LOCATORS else 0))
    line = f"[{src}] " + ", ".join(f"{k}={v}" for k, v in items)
    return line if len(line) <= width else line[: width - 3] + "..."


def _cited_line(c: Cited) -> str:
    if not c.label:
        return _evidence_line(c.evidence)
    if c.first:
        return f"{c.label} " + _evidence_line(c.evidence)
    return f"{c.label} [{c.evidence.get('source', '?')}] cited above / 同上 ({c.first_in})"


def _legal_line(refs: list[str]) -> str:
    parts = []
    for ref in refs:
        r = resolve(ref)
        parts.append(f"{ref} ({r.document_zh} {r.clause})" if r is not None else ref)
    return "legal basis / 依据: " + "; ".join(parts)


def report_warnings(report: dict[str, Any]) -> list[str]:
    """Anomalies the extractors tolerated (skipped dex, duplicate entries, obfuscated manifest …), labelled."""
    out = [f"apk: {w}" for w in report.get("apk_warnings", [])]
    out += [f"manifest: {w}" for w in report.get("manifest_warnings", [])]
    out += [f"code: {w}" for w in (report.get("code") or {}).get("warnings", [])]
    return out


def render_text(report: dict[str, Any], *, max_evidence: int = 3) -> str:
    app = report.get("app", {})
    lines: list[str] = []
    title = app.get("label") or app.get("package") or "(unknown app)"
    lines.append(f"apprights {report.get('tool', {}).get('version', '')} — {title}")
    lines.append(
        f"  package {app.get('package', '')}  version {app.get('version_name', '')} ({app.get('version_code', '')})"
        f"  minSdk {app.get('min_sdk', '')}  targetSdk {app.get('target_sdk', '')}"
        + (f"  category {app['category']}" if app.get("category") else "")
    )
    tool = report.get("tool", {})
    if tool.get("ruleset") or tool.get("knowledge"):
        lines.append(f"  ruleset {tool.get('ruleset', '')}  knowledge {tool.get('knowledge', '')}")
    for i in report.get("inputs", []):
        lines.append(f"  input {i['kind']}: {i['path']} sha256:{i['sha256'][:16]}…")
    sdks = report.get("sdks", [])
    if sdks:
        used = [s for s in sdks if s.get("used")]
        lines.append(f"  SDKs: {len(sdks)} present, {len(used)} used")
        for s in sdks:
            mark = "used" if s.get("used") else "present"
            en = f" / {s['name_en']}" if s.get("name_en") and s.get("name_en") != s["name"] else ""
            lines.append(f"    - {s['name']}{en} ({s['id']}, {s['category']}, {mark}) {s.get('vendor', '')}")
    findings = report.get("findings", [])
    lines.append("")
    lines.append(f"Findings: {len(findings)}")
    for g in group_by_type(findings, shown=max_evidence):
        pt = g.problem_type
        zh, en = PROBLEM_TYPES.get(pt, ("", ""))
        lines.append("")
        lines.append(f"== {pt}. {zh} / {en} ({len(g.findings)})")
        by_subject: dict[str, list[int]] = {}  # in reading order (group_by_type sorted by subject)
        for i, f in enumerate(g.findings):
            by_subject.setdefault(subject_label(f["subject"]), []).append(i)
        for subj in by_subject:
            lines.append(f"  -- {subj}")
            for i in by_subject[subj]:
                f = g.findings[i]
                mark = _SEV_MARK.get(f["severity"], "  ")
                lines.append(
                    f"   {mark}[{f['severity']}/{f['confidence']}] {f['title']['zh']} / {f['title']['en']}  ({f['rule']})"
                )
                detail = f.get("detail") or {}
                if detail.get("zh") or detail.get("en"):
                    lines.append(f"        {detail.get('zh', '')} {detail.get('en', '')}".rstrip())
                if f.get("legal_basis"):
                    lines.append("        " + _legal_line(list(f["legal_basis"])))
                ev = g.cited[i]
                for c in ev[:max_evidence]:
                    lines.append("        " + _cited_line(c))
                if len(ev) > max_evidence:
                    lines.append(f"        … {len(ev) - max_evidence} more evidence items")
    cov = report.get("coverage") or {}
    if cov:
        lines.append("")
        lines.append(
            f"Scan coverage / 检测覆盖: evidence {', '.join(cov.get('evidence') or []) or '-'}; "
            f"rules run {len(cov.get('rules_run') or [])}, skipped {len(cov.get('rules_skipped') or {})}"
            + (f", failed {len(cov['rules_failed'])}" if cov.get("rules_failed") else "")
        )
        for n in cov.get("notes") or []:
            t = n.get("title") or {}
            lines.append(f"  note / 说明: {t.get('zh', '')} / {t.get('en', '')} ({n.get('rule', '')})")
    warnings = report_warnings(report)
    if warnings:
        lines.append("")
        lines.append("Warnings / 警告 (the analysis may be incomplete):")
        for w in warnings[:20]:
            lines.append(f"  {w}")
        if len(warnings) > 20:
            lines.append(f"  … {len(warnings) - 20} more")
    errors = report.get("errors", [])
    if errors:
        lines.append("")
        lines.append("Errors:")
        for e in errors:
            lines.append(f"  {e.get('input', '')}: {e.get('message', '')}")
    summ = report.get("summary", {})
    if summ:
        lines.append("")
        sev = summ.get("by_severity", {})
        lines.append(
            "Summary: "
            + ", ".join(f"{k} {sev.get(k, 0)}" for k in ("high", "medium", "low", "info"))
            + f"; rules run {summ.get('rules_run', 0)}; {report.get('timing', {}).get('total_s', 0)} s"
        )
    return "\n".join(lines) + "\n"
