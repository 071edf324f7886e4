"""Campaign jobs: what to scan for each app, and the job function every backend runs."""

from __future__ import annotations

import json
import logging
import os
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
        """What a resume matches on: the APK path, normalised (``./a.apk`` and ``a.apk`` are one app)."""
        return job_key(self.apk)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


MAX_JOB_LIST_BYTES = 256 * 1024 * 1024


def job_key(apk: str) -> str:
    return os.path.normpath(os.path.abspath(apk))


def discover_jobs(source: Path) -> list[Job]:
    """A directory (every ``*.apk`` below it), one APK, or a JSON-Lines job list
    (``{"apk": …, "policy": …, "traces": […], "listings": […], "category": …}`` per line; relative paths are
    relative to the list file)."""
    try:
        if source.is_dir():
            return [Job(apk=str(p)) for p in sorted(source.rglob("*.apk")) if p.is_file()]
        if not source.exists():
            raise InputError(str(source), "no such file or directory")
        if source.suffix.lower() == ".apk":
            return [Job(apk=str(source))]
        if not source.is_file():
            raise InputError(str(source), "not a regular file (expected a directory, an APK or a job list)")
        if source.stat().st_size > MAX_JOB_LIST_BYTES:
            raise InputError(str(source), f"job list too large (> {MAX_JOB_LIST_BYTES} bytes)")
        text = source.read_bytes().decode("utf-8")
    except OSError as exc:
        raise InputError(str(source), f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(str(source), "job list is not UTF-8 text") from None
    jobs: list[Job] = []
    base = source.parent
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(str(source), f"line {n}: invalid JSON: {exc.msg}") from None
        except RecursionError:
            raise InputError(str(source), f"line {n}: JSON nested too deeply") from None
        if not isinstance(d, dict) or not isinstance(d.get("apk"), str):
            raise InputError(str(source), f"line {n}: each job needs a string field 'apk'")

        def rel(p: Any, n: int = n) -> str:
            if not isinstance(p, str):
                raise InputError(str(source), f"line {n}: paths must be strings")
            if not p or "\x00" in p:
                raise InputError(str(source), f"line {n}: empty path or NUL byte in a path")
            try:
                os.fsencode(p)
            except UnicodeError:
                raise InputError(
                    str(source), f"line {n}: path is not valid Unicode (lone surrogate)"
                ) from None
            q = Path(p)
            return str(q if q.is_absolute() else base / q)

        def rel_list(v: Any, name: str, n: int = n) -> list[str]:
            if v is None:
                return []
            if not isinstance(v, list):
                raise InputError(str(source), f"line {n}: {name!r} must be a list of paths")
            return [rel(x) for x in v]

        jobs.append(
            Job(
                apk=rel(d["apk"]),
                policy=rel(d["policy"]) if d.get("policy") else None,
                traces=rel_list(d.get("traces"), "traces"),
                listings=rel_list(d.get("listings"), "listings"),
                category=d.get("category") if isinstance(d.get("category"), str) else None,
                developer=d.get("developer") if isinstance(d.get("developer"), str) else None,
            )
        )
    return jobs


class _Knowledge:
    """Per-process cache of the loaded knowledge (a worker loads it once, not once per APK)."""

    value: Any = None


def _knowledge(exodus_file: str | None) -> Any:
    from apprights.knowledge import Knowledge

    if _Knowledge.value is None:
        _Knowledge.value = Knowledge.load(exodus_file=Path(exodus_file) if exodus_file else None)
    return _Knowledge.value


def warm_up(exodus_file: str | None = None) -> None:
    """Load what every job needs (knowledge, rule catalogue, extractors) once, before the first job's clock."""
    from apprights.engine.scan import ruleset_version

    _knowledge(exodus_file)
    ruleset_version()
    import apprights.extractors.apk
    import apprights.extractors.dex
    import apprights.reports.json_report  # noqa: F401


def _error(job: Job, message: str, started: float) -> dict[str, Any]:
    from apprights.reports.json_report import error_report

    report = error_report("apk", job.apk, message, total_s=time.perf_counter() - started)
    report["job"] = job.to_dict()
    return report


def run_job(job: Job, exodus_file: str | None = None) -> dict[str, Any]:
    """Scan one app; never raises for bad input: the report carries the error instead.

    Only :class:`JobTimeout` (a BaseException, so no ``except Exception`` in an extractor swallows it) escapes:
    it comes from the timer of ``timed_job`` in the backends, which turns it into the report line.
    """
    started = time.perf_counter()
    try:
        from apprights.engine.scan import ScanRequest, scan

        knowledge = _knowledge(exodus_file)
        req = ScanRequest(
            apk=Path(job.apk),
            policy=Path(job.policy) if job.policy else None,
            traces=[Path(t) for t in job.traces],
            listings=[Path(x) for x in job.listings],
            category=job.category,
            developer=job.developer,
            verify_signature=True,  # the service and batch scans check signatures (engine.scan.ScanRequest)
        )
        report: dict[str, Any] = scan(req, knowledge).report
    except InputError as exc:
        return _error(job, str(exc), started)
    except MemoryError:
        return _error(job, f"{job.apk}: memory limit exceeded", started)
    except RecursionError:
        return _error(job, f"{job.apk}: input nested too deeply (recursion limit)", started)
    except Exception as exc:  # a bug on one app must not stop a 400,000-app campaign
        log.warning("scan of %s failed: %s: %s", job.apk, type(exc).__name__, exc)
        log.debug("traceback", exc_info=True)
        return _error(job, f"{job.apk}: internal error {type(exc).__name__}: {exc}", started)
    report["job"] = job.to_dict()
    return report


class JobTimeout(BaseException):
    """Raised inside a worker when the per-APK time limit fires (a BaseException: ``except Exception`` in an
    extractor must not turn a timeout into a parse error)."""
