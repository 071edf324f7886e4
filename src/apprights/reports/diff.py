"""Compare two scan reports of the same app: what a re-test fixed, what remains, what is new, what was not re-tested.

Findings are matched by fingerprint, which ignores version codes, offsets and times, so a finding in 5.2.0
matches the same finding in 5.3.0. This is the enterprise's self-check after rectification and the regulator's
re-test view (the service's case re-test calls :func:`classify_retest` too).

Absence of a finding proves nothing unless the re-test looked: an earlier finding is *fixed* only when the later
report's ``coverage`` shows that the same rule ran, and ran with every kind of evidence (static / policy / trace /
listing) the earlier finding cited, and did not find it again. Otherwise it is *not re-tested*. A later report
without coverage data (written before coverage was recorded) proves no fix. "Rectified" needs every earlier
finding fixed and nothing new of the same problem types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DIFF_FORMAT = "apprights-diff/1"

# evidence item ``source`` → the kind of evidence it comes from (report ``coverage.evidence``)
EVIDENCE_KIND = {
    "apk": "static",
    "manifest": "static",
    "dex": "static",
    "code": "static",
    "sdk": "static",
    "policy": "policy",
    "trace": "trace",
    "listing": "listing",
}
# rule ``requires`` facts → the kind of evidence that supplies them (``category`` is an option, not evidence)
FACT_KIND = {
    "manifest": "static",
    "code": "static",
    "sdks": "static",
    "policy": "policy",
    "runtime": "trace",
    "listing": "listing",
}
EVIDENCE_KINDS = ("static", "policy", "trace", "listing")


class NotComparable(ValueError):
    """The two reports are not of the same app (package or signing certificate differ)."""


@dataclass
class Untested:
    finding: dict[str, Any]
    reason_zh: str
    reason_en: str


@dataclass
class ReportDiff:
    before: dict[str, Any]
    after: dict[str, Any]
    fixed: list[dict[str, Any]] = field(default_factory=list)
    remaining: list[dict[str, Any]] = field(default_factory=list)
    new: list[dict[str, Any]] = field(default_factory=list)
    not_retested: list[Untested] = field(default_factory=list)

    @property
    def rectified(self) -> bool:
        """Every earlier finding proven fixed, and nothing new of the same problem types."""
        types_before = {f["problem_type"] for f in self.before.get("findings", [])}
        return (
            not self.remaining
            and not self.not_retested
            and not any(f["problem_type"] in types_before for f in self.new)
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": DIFF_FORMAT,
            "before": _app_line(self.before),
            "after": _app_line(self.after),
            "rectified": self.rectified,
            "fixed": [_brief(f) for f in self.fixed],
            "remaining": [_brief(f) for f in self.remaining],
            "new": [_brief(f) for f in self.new],
            "not_retested": [
                {**_brief(u.finding), "reason": {"zh": u.reason_zh, "en": u.reason_en}}
                for u in self.not_retested
            ],
            "after_coverage": coverage_of(self.after),
        }


def _brief(f: dict[str, Any]) -> dict[str, Any]:
    return {
        "fingerprint": f["fingerprint"],
        "rule": f["rule"],
        "problem_type": f["problem_type"],
        "severity": f["severity"],
        "subject": f["subject"],
        "title": f["title"],
    }


def _app_line(rep: dict[str, Any]) -> dict[str, Any]:
    app = rep.get("app", {})
    return {
        "package": app.get("package", ""),
        "version_name": app.get("version_name", ""),
        "version_code": app.get("version_code", 0),
        "findings": len(rep.get("findings", [])),
    }


def report_problem(doc: object) -> str | None:
    """Why ``doc`` cannot be compared (None when it can): the fields the diff reads, checked up front."""
    if not isinstance(doc, dict) or doc.get("format") != "apprights-report/1":
        return "not an apprights-report/1 document"
    if not isinstance(doc.get("app", {}), dict) or not isinstance(doc.get("findings", []), list):
        return "'app' must be an object and 'findings' a list"
    for i, f in enumerate(doc.get("findings", [])):
        ok = (
            isinstance(f, dict)
            and isinstance(f.get("fingerprint"), str)
            and isinstance(f.get("rule"), str)
            and isinstance(f.get("problem_type"), int)
            and isinstance(f.get("subject"), dict)
            and isinstance(f.get("title"), dict)
            and isinstance(f.get("evidence", []), list)
        )
        if not ok:
            return f"finding {i} lacks fingerprint, rule, problem_type, subject or title"
    return None


def coverage_of(report: dict[str, Any]) -> dict[str, Any] | None:
    """The report's ``coverage`` block when it is well-formed, else None (older reports have none)."""
    cov = report.get("coverage")
    if not isinstance(cov, dict):
        return None
    rules, kinds = cov.get("rules_run"), cov.get("evidence")
    if not isinstance(rules, list) or not isinstance(kinds, list):
        return None
    return {"evidence": sorted({str(k) for k in kinds}), "rules_run": sorted({str(r) for r in rules})}


def evidence_kinds(finding: dict[str, Any]) -> set[str]:
    """The kinds of evidence a finding cites (an unknown source is its own kind: no re-test can cover it)."""
    out: set[str] = set()
    for e in finding.get("evidence", []) or []:
        src = str(e.get("source", "")) if isinstance(e, dict) else ""
        # an item recording that an input was *not* supplied ({"source": "policy", "supplied": false}) is
        # not evidence of that kind
        if src and not (isinstance(e, dict) and e.get("supplied") is False):
            out.add(EVIDENCE_KIND.get(src, src))
    return out


def check_same_app(before: dict[str, Any], after: dict[str, Any]) -> None:
    """Raise NotComparable when the reports are of different packages or signed by different certificates."""
    pb = (before.get("app") or {}).get("package") or ""
    pa = (after.get("app") or {}).get("package") or ""
    if not pb or not pa:
        which = "earlier" if not pb else "later"
        raise NotComparable(f"the {which} report names no app package (a failed scan?): nothing to compare")
    if pb != pa:
        raise NotComparable(f"the reports are of different apps: {pb!r} before, {pa!r} after")
    sb = {str(s).lower() for s in (before.get("app") or {}).get("signer_sha256") or []}
    sa = {str(s).lower() for s in (after.get("app") or {}).get("signer_sha256") or []}
    if sb and sa and not (sb & sa):
        raise NotComparable(
            f"{pa}: signed by a different certificate ({sorted(sb)[0][:16]}… before, {sorted(sa)[0][:16]}… after);"
            " a re-test must be of the same enterprise's app"
        )


def _match_key(f: dict[str, Any]) -> tuple[int, str, str] | None:
    mk = f.get("merge_key")
    if not mk:
        return None
    return (int(f["problem_type"]), str((f.get("subject") or {}).get("id", "")), str(mk))


def classify_retest(
    before_findings: list[dict[str, Any]], after: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[Untested]]:
    """Split earlier findings into (fixed, still found, not re-tested) against a later report.

    A finding is still found when the later report has the same fingerprint, or the same problem, subject and
    merge key (a runtime confirmation that became a static suspicion is the same problem)."""
    after_findings = after.get("findings", []) or []
    fps = {f["fingerprint"] for f in after_findings}
    keys = {k for k in (_match_key(f) for f in after_findings) if k is not None}
    cov = coverage_of(after)
    fixed: list[dict[str, Any]] = []
    found: list[dict[str, Any]] = []
    untested: list[Untested] = []
    for f in before_findings:
        mk = _match_key(f)
        if f["fingerprint"] in fps or (mk is not None and mk in keys):
            found.append(f)
            continue
        if cov is None:
            untested.append(
                Untested(
                    f, "复测报告未记录运行了哪些规则", "the later report does not record which rules ran"
                )
            )
            continue
        rule = str(f["rule"])
        if rule not in cov["rules_run"]:
            untested.append(Untested(f, f"复测未运行规则 {rule}", f"rule {rule} did not run in the re-test"))
            continue
        missing = sorted(evidence_kinds(f) - set(cov["evidence"]))
        if missing:
            kinds = ", ".join(missing)
            untested.append(
                Untested(f, f"复测缺少证据类型：{kinds}", f"the re-test lacked the evidence kind(s): {kinds}")
            )
            continue
        fixed.append(f)
    return fixed, found, untested


def diff_reports(before: dict[str, Any], after: dict[str, Any]) -> ReportDiff:
    """Raises NotComparable when the reports are not of the same app."""
    check_same_app(before, after)
    before_findings = list({f["fingerprint"]: f for f in before.get("findings", [])}.values())
    d = ReportDiff(before=before, after=after)
    d.fixed, _still_found, d.not_retested = classify_retest(before_findings, after)
    b_fps = {f["fingerprint"] for f in before_findings}
    b_keys = {k for k in (_match_key(f) for f in before_findings) if k is not None}
    for f in {f["fingerprint"]: f for f in after.get("findings", [])}.values():
        mk = _match_key(f)
        if f["fingerprint"] in b_fps or (mk is not None and mk in b_keys):
            d.remaining.append(f)
        else:
            d.new.append(f)
    return d


def render_diff_text(d: ReportDiff) -> str:
    b, a = _app_line(d.before), _app_line(d.after)
    lines = [
        f"{b['package']}: {b['version_name']} ({b['findings']} findings) -> {a['version_name']} ({a['findings']} findings)",
        f"rectified / 已整改: {'yes 是' if d.rectified else 'no 否'}",
    ]
    cov = coverage_of(d.after)
    if cov is None:
        lines.append("re-test coverage / 复测覆盖: not recorded in the later report / 复测报告未记录")
    else:
        lines.append(
            f"re-test coverage / 复测覆盖: {len(cov['rules_run'])} rules on {', '.join(cov['evidence']) or '-'}"
        )
    for label, items in (
        ("fixed / 已解决", d.fixed),
        ("remaining / 仍存在", d.remaining),
        ("new / 新出现", d.new),
    ):
        lines.append(f"{label}: {len(items)}")
        lines.extend(_line(f) for f in items)
    lines.append(f"not re-tested / 未复测: {len(d.not_retested)}")
    for u in d.not_retested:
        lines.append(f"{_line(u.finding)} — {u.reason_zh} / {u.reason_en}")
    return "\n".join(lines) + "\n"


def _line(f: dict[str, Any]) -> str:
    s = f["subject"]
    return f"  [{f['problem_type']}] {f['title']['zh']} / {f['title']['en']} — {s['kind']}:{s['id']} ({f['rule']})"
