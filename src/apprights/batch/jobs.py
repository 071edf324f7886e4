"""Campaign jobs: what to scan for each app, and the job function every backend runs."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from apprights.errors import InputError

log = logging.getLogger(__name__)


@dataclass
class Job:
    apk: str
    policy: str | None = None
    traces: list[str] = field(default_factory=list)
    listings: list[str] = field(default_factory=list)
    category: str | None = None
    developer: str | None = None

    @property
    def key(self) -> str:
        return self.apk

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def discover_jobs(source: Path) -> list[Job]:
    """A directory (every ``*.apk`` below it), one APK, or a JSON-Lines job list
    (``{"apk": …, "policy": …, "traces": […], "listings": […], "category": …}`` per line; relative paths are
    relative to the list file)."""
    if source.is_dir():
        return [Job(apk=str(p)) for p in sorted(source.rglob("*.apk")) if p.is_file()]
    if not source.exists():
        raise InputError(str(source), "no such file or directory")
    if source.suffix.lower() == ".apk":
        return [Job(apk=str(source))]
    jobs: list[Job] = []
    base = source.parent
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(source), f"cannot read job list: {exc}") from None
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(str(source), f"line {n}: invalid JSON: {exc.msg}") from None
        if not isinstance(d, dict) or not isinstance(d.get("apk"), str):
            raise InputError(str(source), f"line {n}: each job needs a string field 'apk'")

        def rel(p: Any, n: int = n) -> str:
            if not isinstance(p, str):
                raise InputError(str(source), f"line {n}: paths must be strings")
            q = Path(p)
            return str(q if q.is_absolute() else base / q)

        jobs.append(
            Job(
                apk=rel(d["apk"]),
                policy=rel(d["policy"]) if d.get("policy") else None,
                traces=[rel(t) for t in d.get("traces", []) or []],
                listings=[rel(x) for x in d.get("listings", []) or []],
                category=d.get("category") if isinstance(d.get("category"), str) else None,
                developer=d.get("developer") if isinstance(d.get("developer"), str) else None,
            )
        )
    return jobs


class _Knowledge:
    """Per-process cache of the loaded knowledge (a worker loads it once, not once per APK)."""

    value: Any = None


def run_job(job: Job, exodus_file: str | None = None) -> dict[str, Any]:
    """Scan one app; never raises for bad input: the report carries the error instead."""
    from apprights.engine.scan import ScanRequest, scan
    from apprights.knowledge import Knowledge
    from apprights.reports.json_report import error_report

    started = time.perf_counter()
    if _Knowledge.value is None:
        _Knowledge.value = Knowledge.load(exodus_file=Path(exodus_file) if exodus_file else None)
    req = ScanRequest(
        apk=Path(job.apk),
        policy=Path(job.policy) if job.policy else None,
        traces=[Path(t) for t in job.traces],
        listings=[Path(x) for x in job.listings],
        category=job.category,
        developer=job.developer,
    )
    try:
        report = scan(req, _Knowledge.value).report
    except InputError as exc:
        return error_report("apk", job.apk, str(exc), total_s=time.perf_counter() - started)
    except MemoryError:
        return error_report("apk", job.apk, f"{job.apk}: memory limit exceeded", total_s=time.perf_counter() - started)
    except JobTimeout:
        return error_report("apk", job.apk, f"{job.apk}: time limit exceeded", total_s=time.perf_counter() - started)
    except Exception as exc:  # a bug on one app must not stop a 400,000-app campaign
        log.exception("scan of %s failed", job.apk)
        return error_report(
            "apk", job.apk, f"{job.apk}: internal error {type(exc).__name__}: {exc}", total_s=time.perf_counter() - started
        )
    report["job"] = job.to_dict()
    return report


class JobTimeout(Exception):
    """Raised inside a worker when the per-APK time limit fires."""
