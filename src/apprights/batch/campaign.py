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
from apprights.batch.jobs import Job, job_key
from apprights.model.facts import to_jsonable
from apprights.reports.json_report import error_report

REPORTS = "reports.jsonl"
SUMMARY = "summary.json"


def _report_key(d: Any) -> str | None:
    if not isinstance(d, dict):
        return None
    job = d.get("job")
    key = job.get("apk") if isinstance(job, dict) else None
    if not key:
        inputs = d.get("inputs")
        first = inputs[0] if isinstance(inputs, list) and inputs else None
        key = first.get("path") if isinstance(first, dict) else None
    return job_key(key) if isinstance(key, str) and key else None


def _read_reports(path: Path) -> list[dict[str, Any]]:
    """The parseable report lines of ``path`` (a torn or garbled line is skipped)."""
    out: list[dict[str, Any]] = []
    if not path.exists():
        return out
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                d = json.loads(line)
            except (ValueError, RecursionError):
                continue
            if isinstance(d, dict):
                out.append(d)
    return out


def done_keys(out: Path) -> set[str]:
    """Jobs already reported in ``out/reports.jsonl`` (normalised APK paths; a torn last line is ignored)."""
    keys = {_report_key(d) for d in _read_reports(out / REPORTS)}
    return {k for k in keys if k}


def drop_torn_tail(path: Path) -> None:
    """Cut a last line without its newline (a campaign killed mid-write) so appended lines stay whole."""
    if not path.exists():
        return
    with path.open("rb+") as fh:
        size = fh.seek(0, 2)
        if size == 0:
            return
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return
        pos = size
        while pos > 0:
            step = min(1 << 16, pos)
            fh.seek(pos - step)
            chunk = fh.read(step)
            nl = chunk.rfind(b"\n")
            if nl >= 0:
                fh.truncate(pos - step + nl + 1)
                return
            pos -= step
        fh.truncate(0)


def is_failed(report: dict[str, Any]) -> bool:
    """A line for an app that could not be scanned (error, no findings, no package)."""
    app = report.get("app")
    package = app.get("package") if isinstance(app, dict) else None
    return bool(report.get("errors")) and not report.get("findings") and not package


def _is_coverage_note(f: dict[str, Any]) -> bool:
    """A "no policy supplied" note in a report line written before such notes left ``findings``: it records
    what the scan lacked, not a problem of the app, so it counts in no statistic."""
    ev = f.get("evidence")
    return isinstance(ev, list) and any(
        isinstance(e, dict) and e.get("source") == "policy" and e.get("supplied") is False for e in ev
    )


@dataclass
class CampaignSummary:
    """``total`` jobs; ``scanned`` in this run; ``skipped_already_done`` by ``--resume``; the other counts
    (``reported``, ``failed``, ``findings``, by type/severity, SDK prevalence) cover every line of
    reports.jsonl, so a resumed campaign's summary describes the whole campaign."""

    total: int = 0
    scanned: int = 0
    skipped_done: int = 0
    reported: int = 0
    failed: int = 0
    findings: int = 0
    by_problem_type: Counter[str] = field(default_factory=Counter)
    by_severity: Counter[str] = field(default_factory=Counter)
    sdk_prevalence: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def add(self, report: dict[str, Any]) -> None:
        self.reported += 1
        if is_failed(report):
            self.failed += 1
        for f in report.get("findings") or []:
            if not isinstance(f, dict) or _is_coverage_note(f):
                continue
            self.findings += 1
            self.by_problem_type[str(f.get("problem_type"))] += 1
            self.by_severity[str(f.get("severity"))] += 1
        for s in report.get("sdks") or []:
            if isinstance(s, dict):
                self.sdk_prevalence[str(s.get("id"))] += 1

    def to_dict(self) -> dict[str, Any]:
        def type_order(kv: tuple[str, int]) -> tuple[int, str]:
            return (int(kv[0]), "") if kv[0].isdigit() else (99, kv[0])

        return {
            "total": self.total,
            "scanned": self.scanned,
            "skipped_already_done": self.skipped_done,
            "reported": self.reported,
            "failed": self.failed,
            "findings": self.findings,
            "by_problem_type": dict(sorted(self.by_problem_type.items(), key=type_order)),
            "by_severity": dict(self.by_severity),
            "top_sdks": dict(self.sdk_prevalence.most_common(30)),
            "seconds": round(self.seconds, 2),
            "apps_per_second": round(self.scanned / self.seconds, 2) if self.seconds else 0.0,
        }


def _serialise(report: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The JSON line of a report; a report that cannot be serialised becomes an error line (same app)."""
    try:
        clean = to_jsonable(report)
        line = json.dumps(clean, ensure_ascii=False)
        try:
            line.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates (a bad input's text): \uXXXX escapes keep the line UTF-8
            line = json.dumps(clean, ensure_ascii=True)
        return clean, line
    except (TypeError, ValueError, RecursionError) as exc:
        key = _report_key(report) or "?"
        job = report.get("job")
        failed = error_report("apk", key, f"{key}: report not serialisable ({type(exc).__name__}: {exc})")
        if isinstance(job, dict):
            failed["job"] = {k: v for k, v in job.items() if isinstance(v, (str, list, type(None)))}
        return failed, json.dumps(failed, ensure_ascii=False, default=str)


def run_campaign(
    jobs: list[Job],
    out: Path,
    backend: Backend,
    *,
    resume: bool = False,
    progress: Callable[[int, int, CampaignSummary], None] | None = None,
) -> CampaignSummary:
    """Scan ``jobs`` into ``out/reports.jsonl`` (one line per app, flushed as it comes) and write
    ``out/summary.json``. Without ``resume`` an earlier reports.jsonl is replaced."""
    out.mkdir(parents=True, exist_ok=True)
    reports = out / REPORTS
    summary = CampaignSummary(total=len(jobs))
    if resume:
        drop_torn_tail(reports)
        done: set[str] = set()
        for d in _read_reports(reports):
            key = _report_key(d)
            if key:
                done.add(key)
            summary.add(d)
        todo = [j for j in jobs if j.key not in done]
        summary.skipped_done = len(jobs) - len(todo)
    else:
        todo = jobs
        reports.unlink(missing_ok=True)
    started = time.perf_counter()
    with reports.open("a", encoding="utf-8") as fh:
        for n, produced in enumerate(backend.run(todo), 1):
            report, line = _serialise(produced)
            fh.write(line + "\n")
            fh.flush()
            summary.scanned += 1
            summary.add(report)
            if progress is not None:
                progress(n, len(todo), summary)
    summary.seconds = time.perf_counter() - started
    (out / SUMMARY).write_text(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
    return summary
