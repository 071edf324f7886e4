"""Compare two scan reports of the same app: what a re-test fixed, what remains, what is new.

Findings are matched by fingerprint, which ignores version codes, offsets and times, so a finding in 5.2.0
matches the same finding in 5.3.0. This is the enterprise's self-check after rectification and the regulator's
re-test view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ReportDiff:
    before: dict[str, Any]
    after: dict[str, Any]
    fixed: list[dict[str, Any]] = field(default_factory=list)
    remaining: list[dict[str, Any]] = field(default_factory=list)
    new: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rectified(self) -> bool:
        """True when nothing of the earlier report remains and nothing new of the same problem types appeared."""
        types_before = {f["problem_type"] for f in self.before.get("findings", [])}
        return not self.remaining and not any(f["problem_type"] in types_before for f in self.new)

    def to_dict(self) -> dict[str, Any]:
        def brief(f: dict[str, Any]) -> dict[str, Any]:
            return {
                "fingerprint": f["fingerprint"],
                "rule": f["rule"],
                "problem_type": f["problem_type"],
                "severity": f["severity"],
                "subject": f["subject"],
                "title": f["title"],
            }

        return {
            "format": "apprights-diff/1",
            "before": _app_line(self.before),
            "after": _app_line(self.after),
            "rectified": self.rectified,
            "fixed": [brief(f) for f in self.fixed],
            "remaining": [brief(f) for f in self.remaining],
            "new": [brief(f) for f in self.new],
        }


def _app_line(rep: dict[str, Any]) -> dict[str, Any]:
    app = rep.get("app", {})
    return {
        "package": app.get("package", ""),
        "version_name": app.get("version_name", ""),
        "version_code": app.get("version_code", 0),
        "findings": len(rep.get("findings", [])),
    }


def diff_reports(before: dict[str, Any], after: dict[str, Any]) -> ReportDiff:
    b = {f["fingerprint"]: f for f in before.get("findings", [])}
    a = {f["fingerprint"]: f for f in after.get("findings", [])}
    d = ReportDiff(before=before, after=after)
    d.fixed = [f for fp, f in b.items() if fp not in a]
    d.remaining = [f for fp, f in a.items() if fp in b]
    d.new = [f for fp, f in a.items() if fp not in b]
    return d


def render_diff_text(d: ReportDiff) -> str:
    b, a = _app_line(d.before), _app_line(d.after)
    lines = [
        f"{b['package']}: {b['version_name']} ({b['findings']} findings) -> {a['version_name']} ({a['findings']} findings)",
        f"rectified / 已整改: {'yes 是' if d.rectified else 'no 否'}",
    ]
    for label, items in (
        ("fixed / 已解决", d.fixed),
        ("remaining / 仍存在", d.remaining),
        ("new / 新出现", d.new),
    ):
        lines.append(f"{label}: {len(items)}")
        for f in items:
            s = f["subject"]
            lines.append(
                f"  [{f['problem_type']}] {f['title']['zh']} / {f['title']['en']} — {s['kind']}:{s['id']} ({f['rule']})"
            )
    return "\n".join(lines) + "\n"
