"""A campaign: many apps, one report line each, resumable, with a summary."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apprights.batch.backends import Backend
from apprights.batch.jobs import Job

REPORTS = "reports.jsonl"
SUMMARY = "summary.json"


def done_keys(out: Path) -> set[str]:
    """Jobs already reported in ``out/reports.jsonl`` (a torn last line from a crash is ignored)."""
    path = out / REPORTS
    keys: set[str] = set()
    if not path.exists():
        return keys
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                d = json.loads(line)
            except json.JSONDecodeError:
                continue
            job = d.get("job") or {}
            key = job.get("apk") or ((d.get("inputs") or [{}])[0].get("path"))
            if key:
                keys.add(str(key))
    return keys


@dataclass
class CampaignSummary:
    total: int = 0
    scanned: int = 0
    skipped_done: int = 0
    failed: int = 0
    findings: int = 0
    by_problem_type: Counter[str] = field(default_factory=Counter)
    by_severity: Counter[str] = field(default_factory=Counter)
    sdk_prevalence: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "scanned": self.scanned,
            "skipped_already_done": self.skipped_done,
            "failed": self.failed,
            "findings": self.findings,
            "by_problem_type": dict(sorted(self.by_problem_type.items(), key=lambda kv: int(kv[0]))),
            "by_severity": dict(self.by_severity),
            "top_sdks": dict(self.sdk_prevalence.most_common(30)),
            "seconds": round(self.seconds, 2),
            "apps_per_second": round(self.scanned / self.seconds, 2) if self.seconds else 0.0,
        }


def run_campaign(
    jobs: list[Job],
    out: Path,
    backend: Backend,
    *,
    resume: bool = False,
    progress: Callable[[int, int, CampaignSummary], None] | None = None,
) -> CampaignSummary:
    out.mkdir(parents=True, exist_ok=True)
    summary = CampaignSummary(total=len(jobs))
    if resume:
        done = done_keys(out)
        todo = [j for j in jobs if j.key not in done]
        summary.skipped_done = len(jobs) - len(todo)
    else:
        todo = jobs
        (out / REPORTS).unlink(missing_ok=True)
    started = time.perf_counter()
    with (out / REPORTS).open("a", encoding="utf-8") as fh:
        for n, report in enumerate(backend.run(todo), 1):
            fh.write(json.dumps(report, ensure_ascii=False) + "\n")
            fh.flush()
            summary.scanned += 1
            if report.get("errors") and not report.get("findings") and not report.get("app", {}).get("package"):
                summary.failed += 1
            for f in report.get("findings", []):
                summary.findings += 1
                summary.by_problem_type[str(f["problem_type"])] += 1
                summary.by_severity[str(f["severity"])] += 1
            for s in report.get("sdks", []):
                summary.sdk_prevalence[str(s["id"])] += 1
            if progress is not None:
                progress(n, len(todo), summary)
    summary.seconds = time.perf_counter() - started
    (out / SUMMARY).write_text(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    return summary
