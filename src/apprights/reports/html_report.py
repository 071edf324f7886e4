"""Single-file HTML report in Chinese and English, with the evidence of every finding."""

from __future__ import annotations

import json
from typing import Any

import jinja2

from apprights.knowledge.legal import PROBLEM_TYPES, resolve
from apprights.reports.grouping import SEVERITIES, group_by_type, summary_rows, visible_items


def _value(v: Any) -> str:
    """Evidence values as a reader expects them: JSON for structures (keeps Chinese readable)."""
    if isinstance(v, (dict, list, tuple)):
        return json.dumps(v, ensure_ascii=False)
    return "" if v is None else str(v)


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("apprights.reports", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["evalue"] = _value
    return env


def render_html(report: dict[str, Any]) -> str:
    findings = report.get("findings", [])
    groups: list[dict[str, Any]] = []
    for g in group_by_type(findings):
        zh, en = PROBLEM_TYPES.get(g.problem_type, ("", ""))
        groups.append(
            {
                "type": g.problem_type,
                "zh": zh,
                "en": en,
                "findings": g.findings,
                "cited": [g.cited[i] for i in range(len(g.findings))],
            }
        )
    legal: dict[str, str] = {}
    for f in findings:
        for ref in f.get("legal_basis", []):
            r = resolve(ref)
            if r is not None:
                legal[ref] = f"{r.document_zh} {r.clause}"
    from apprights.reports.text_report import report_warnings

    template = _env().get_template("report.html.j2")
    return template.render(
        summary_rows=summary_rows(findings),
        severities=SEVERITIES,
        coverage=report.get("coverage") or {},
        visible_items=visible_items,
        warnings=report_warnings(report),
        report=report,
        app=report.get("app", {}),
        groups=groups,
        legal=legal,
        problem_types=PROBLEM_TYPES,
    )
