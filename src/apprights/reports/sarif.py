"""SARIF 2.1.0 output, so an enterprise's CI (code-scanning dashboards) can gate a release on the findings."""

from __future__ import annotations

from typing import Any

from apprights import __version__
from apprights.rules.base import discover_rules

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"high": "error", "medium": "warning", "low": "note", "info": "note"}


def _location(f: dict[str, Any], apk_path: str) -> list[dict[str, Any]]:
    locs: list[dict[str, Any]] = []
    for e in f.get("evidence", [])[:5]:
        src = e.get("source")
        if src == "dex" and e.get("caller_class"):
            name = f"{e['caller_class']}.{e.get('caller_method', '')}".rstrip(".")
            locs.append({"logicalLocations": [{"fullyQualifiedName": name, "kind": "function"}]})
        elif src == "manifest":
            locs.append(
                {"physicalLocation": {"artifactLocation": {"uri": f"{apk_path}!/AndroidManifest.xml"}}}
            )
        elif src in ("policy", "trace", "listing"):
            path = e.get("path") or e.get("trace") or e.get("listing")
            if path:
                locs.append({"physicalLocation": {"artifactLocation": {"uri": str(path)}}})
    if not locs and apk_path:
        locs.append({"physicalLocation": {"artifactLocation": {"uri": apk_path}}})
    return locs


def render_sarif(report: dict[str, Any]) -> dict[str, Any]:
    apk_path = next((i["path"] for i in report.get("inputs", []) if i.get("kind") == "apk"), "")
    used = {f["rule"] for f in report.get("findings", [])}
    rules = [
        {
            "id": r.id,
            "name": r.__name__,
            "shortDescription": {"text": f"{r.title_zh} / {r.title_en}"},
            "fullDescription": {"text": r.doc()[:2000]},
            "properties": {"problem_type": r.problem_type, "legal_basis": list(r.legal_basis)},
            "defaultConfiguration": {"level": _LEVEL.get(str(r.severity), "warning")},
        }
        for r in discover_rules()
        if r.id in used
    ]
    results = []
    for f in report.get("findings", []):
        detail = f.get("detail") or {}
        text = f"{f['title']['zh']} / {f['title']['en']}"
        if detail.get("zh") or detail.get("en"):
            text += f" — {detail.get('zh', '')} {detail.get('en', '')}".rstrip()
        results.append(
            {
                "ruleId": f["rule"],
                "level": _LEVEL.get(f["severity"], "warning"),
                "message": {"text": text},
                "locations": _location(f, apk_path),
                "partialFingerprints": {"apprights/v1": f["fingerprint"]},
                "properties": {
                    "problem_type": f["problem_type"],
                    "confidence": f["confidence"],
                    "subject": f["subject"],
                    "legal_basis": f.get("legal_basis", []),
                },
            }
        )
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "apprights",
                        "version": __version__,
                        "informationUri": "https://example.invalid/apprights",
                        "rules": rules,
                    }
                },
                "results": results,
                "properties": {"app": report.get("app", {}), "tool": report.get("tool", {})},
            }
        ],
    }
