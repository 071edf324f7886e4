"""Single-file HTML report in Chinese and English, with the evidence of every finding."""

from __future__ import annotations

import json
from typing import Any

import jinja2

from apprights.knowledge.legal import PROBLEM_TYPES, resolve


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
    for pt in sorted({int(f["problem_type"]) for f in findings}):
        zh, en = PROBLEM_TYPES.get(pt, ("", ""))
        groups.append(
            {
                "type": pt,
                "zh": zh,
                "en": en,
                "findings": [f for f in findings if int(f["problem_type"]) == pt],
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
        warnings=report_warnings(report),
        report=report,
        app=report.get("app", {}),
        groups=groups,
        legal=legal,
        problem_types=PROBLEM_TYPES,
    )
