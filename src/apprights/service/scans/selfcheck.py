"""Enterprise self-checks: an enterprise uploads an APK of one of its apps; the service scans it in the background.

The bytes are kept on disk by sha256 first (``files.store_file``), so nothing submitted is lost, even when it is
rejected or the scan fails. The scan runs ``apprights.batch.jobs.run_job`` (``engine.scan.scan``) in a worker
process of ``apprights.batch.backends.ProcessBackend`` (time and memory limits; a stuck scan is killed), driven by
one background thread per service instance (``SelfCheckRunner``). The report is stored as a file and ingested like
an agency's (``ingest_reports``) but its scan run is marked ``self_check`` and its findings get the status
``self_check``: never ``pending``, so no reviewer confirms them and they never open a regulator case
(``flows.review_finding`` refuses any finding that is not pending).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from apprights.errors import InputError
from apprights.model.facts import ManifestFacts
from apprights.service.apps.models import App
from apprights.service.db import session_scope, utc_naive
from apprights.service.files import blob_path, record_kept_file, store_file, write_blob
from apprights.service.leads.models import StoredFile
from apprights.service.scans.ingest import ingest_reports, parse_report
from apprights.service.scans.models import Finding, ScanRun, SelfCheck

log = logging.getLogger(__name__)

SELF_CHECK_STATUS = "self_check"  # the status of a self-check's findings: not for review
ZIP_MAGIC = b"PK\x03\x04"
ACTIVE = ("queued", "running")


def mark_self_check(session: Session, run_ids: list[int]) -> None:
    """Mark scan runs as an enterprise's self-check: not a test result, findings not for review, no store."""
    session.execute(update(ScanRun).where(ScanRun.id.in_(run_ids)).values(self_check=True, store_id=None))
    session.execute(update(Finding).where(Finding.scan_run_id.in_(run_ids)).values(status=SELF_CHECK_STATUS))


def submit(
    session: Session,
    data_dir: Path,
    apk: bytes,
    *,
    app: App,
    enterprise_id: int,
    user_id: int | None,
    now: datetime,
    max_bytes: int,
) -> SelfCheck:
    """Keep the APK on disk and queue a self-check (``rejected`` at once when it is not a ZIP/APK)."""
    if len(apk) > max_bytes:
        raise InputError("apk", f"文件过大 / larger than {max_bytes} bytes")
    sha = write_blob(data_dir, apk)
    return submit_kept(
        session, data_dir, sha, len(apk), app=app, enterprise_id=enterprise_id, user_id=user_id, now=now
    )


def submit_kept(
    session: Session,
    data_dir: Path,
    sha256: str,
    size: int,
    *,
    app: App,
    enterprise_id: int,
    user_id: int | None,
    now: datetime,
) -> SelfCheck:
    """Queue a self-check of an APK already kept in the blob store (an upload streamed to disk): the APK is
    never read into memory here, only its first bytes (``rejected`` at once when it is not a ZIP/APK)."""
    sc = SelfCheck(
        enterprise_id=enterprise_id,
        app_id=app.id,
        submitted_by=user_id,
        submitted_at=utc_naive(now),
        apk_sha256=sha256,
        apk_size=size,
        status="queued",
        error="",
    )
    session.add(sc)
    session.flush()
    stored = record_kept_file(
        session,
        sha256=sha256,
        size=size,
        owner_kind="self_check",
        owner_id=sc.id,
        filename=f"{app.package}-{sc.id}.apk",
        content_type="application/vnd.android.package-archive",
        now=now,
    )
    sc.file_id = stored.id
    with blob_path(data_dir, sha256).open("rb") as fh:
        head = fh.read(len(ZIP_MAGIC))
    if head != ZIP_MAGIC:
        sc.status = "rejected"
        sc.error = "不是APK文件（ZIP格式） / not an APK (no ZIP header)"
        sc.finished_at = utc_naive(now)
    session.flush()
    return sc


def _fail(sc: SelfCheck, message: str, now: datetime) -> None:
    sc.status = "failed"
    sc.error = message[:1000]
    sc.finished_at = utc_naive(now)


def report_errors(report: dict[str, Any]) -> list[str]:
    errs = report.get("errors") if isinstance(report.get("errors"), list) else []
    assert isinstance(errs, list)
    return [str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in errs]


def finish(session: Session, data_dir: Path, sc: SelfCheck, report: dict[str, Any], *, now: datetime) -> None:
    """Store the report of ``sc`` and ingest it as a self-check scan of the enterprise's app."""
    raw = json.dumps(report, ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")
    rf = store_file(
        session,
        data_dir,
        owner_kind="selfcheck_report",
        owner_id=sc.id,
        filename=f"self-check-{sc.id}.json",
        content=raw,
        content_type="application/json",
        now=now,
        max_bytes=512 * 1024 * 1024,
    )
    sc.report_file_id = rf.id
    app = session.get(App, sc.app_id)
    assert app is not None
    try:
        parsed = parse_report(report, f"self-check {sc.id}")
    except InputError as e:
        errs = report_errors(report)
        _fail(sc, errs[0] if errs else f"{e.path}: {e.problem}", now)
        return
    if parsed.package != app.package:
        _fail(
            sc,
            f"APK的包名为 {parsed.package}，不是 {app.package} / the APK is {parsed.package}, not {app.package}",
            now,
        )
        return
    res = ingest_reports(session, [parsed], now=now, user_id=sc.submitted_by)
    if not res.scan_run_ids:
        _fail(sc, "同一报告已存在 / the same report is already stored", now)
        return
    run_id = res.scan_run_ids[0]
    mark_self_check(session, [run_id])
    sc.scan_run_id = run_id
    sc.status = "done"
    sc.error = "; ".join(report_errors(report))[:1000]
    sc.finished_at = utc_naive(now)
    session.flush()


def stored_report(session: Session, data_dir: Path, sc: SelfCheck) -> dict[str, Any] | None:
    if sc.report_file_id is None:
        return None
    row = session.get(StoredFile, sc.report_file_id)
    if row is None:
        return None
    from apprights.service.files import read_file

    doc = json.loads(read_file(data_dir, row))
    return doc if isinstance(doc, dict) else None


ScanFn = Callable[[Path, float], dict[str, Any]]


def scan_in_worker(apk: Path, timeout_s: float) -> dict[str, Any]:
    """Scan one APK in a worker process with a time limit (killed if it does not answer)."""
    from apprights.batch.backends import Limits, ProcessBackend
    from apprights.batch.jobs import Job

    backend = ProcessBackend(workers=1, limits=Limits(timeout_s=timeout_s, memory_mb=2048, grace_s=5.0))
    for report in backend.run([Job(apk=str(apk))]):
        return report
    raise RuntimeError("the scan backend returned no report")


def reset_running_self_checks(factory: sessionmaker[Session]) -> int:
    """Queue again the self-checks a stopped service left ``running`` (only when no other process runs any)."""
    with session_scope(factory) as s:
        r = s.execute(update(SelfCheck).where(SelfCheck.status == "running").values(status="queued"))
        return int(r.rowcount)  # type: ignore[attr-defined]


class SelfCheckRunner:
    """One background thread per service instance that scans queued self-checks one after another."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        data_dir: Path,
        clock: Callable[[], datetime],
        *,
        timeout_s: float,
        scan_fn: ScanFn = scan_in_worker,
    ) -> None:
        self.factory = factory
        self.data_dir = data_dir
        self.clock = clock
        self.timeout_s = timeout_s
        self.scan_fn = scan_fn
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def submit(self, self_check_id: int) -> Future[None]:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="self-check")
            return self._pool.submit(self._run, self_check_id)

    def resume(self, *, reset_running: bool = True) -> int:
        """Queue again what a previous instance left queued or running (e.g. after a restart).

        ``reset_running``: a ``running`` row is a leftover (one service process). With several processes the
        launcher resets them once before the workers start (``reset_running(…)``), and each worker only takes
        ``queued`` rows: a row another worker is running is never taken twice."""
        if reset_running:
            reset_running_self_checks(self.factory)
        with session_scope(self.factory) as s:
            ids = list(
                s.scalars(select(SelfCheck.id).where(SelfCheck.status == "queued").order_by(SelfCheck.id))
            )
        for i in ids:
            self.submit(i)
        return len(ids)

    def shutdown(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)

    def _run(self, self_check_id: int) -> None:
        try:
            with session_scope(self.factory) as s:
                # taken atomically (queued -> running): with several service processes one of them runs it
                took = s.execute(
                    update(SelfCheck)
                    .where(SelfCheck.id == self_check_id, SelfCheck.status == "queued")
                    .values(status="running")
                )
                if took.rowcount != 1:  # type: ignore[attr-defined]
                    return
                sha = s.scalar(select(SelfCheck.apk_sha256).where(SelfCheck.id == self_check_id))
                apk = blob_path(self.data_dir, sha or "")
            report = self.scan_fn(apk, self.timeout_s)
            with session_scope(self.factory) as s:
                sc = s.get(SelfCheck, self_check_id)
                assert sc is not None
                finish(s, self.data_dir, sc, report, now=self.clock())
        except Exception as e:  # the thread must survive; the row says what happened
            log.exception("self-check %s failed", self_check_id)
            with session_scope(self.factory) as s:
                sc = s.get(SelfCheck, self_check_id)
                if sc is not None:
                    _fail(sc, f"内部错误 / internal error: {type(e).__name__}: {e}", self.clock())


def manifest_from_report(report: dict[str, Any]) -> ManifestFacts | None:
    """The manifest facts a stored report carries (package, version, label, requested permissions)."""
    from apprights.model.facts import PermissionDecl

    app = report.get("app")
    if not isinstance(app, dict) or not isinstance(app.get("package"), str):
        return None
    perms = report.get("permissions") if isinstance(report.get("permissions"), list) else []
    assert isinstance(perms, list)
    vcode = app.get("version_code")
    return ManifestFacts(
        package=app["package"],
        version_code=vcode if isinstance(vcode, int) and not isinstance(vcode, bool) else 0,
        version_name=app["version_name"] if isinstance(app.get("version_name"), str) else "",
        label=app["label"] if isinstance(app.get("label"), str) else "",
        permissions=[
            PermissionDecl(p["name"], dangerous=bool(p.get("dangerous")))
            for p in perms[:1000]
            if isinstance(p, dict) and isinstance(p.get("name"), str) and not p.get("implied_by")
        ],
        # granted by Android without a request (listed with ``implied_by``): not the app's requested permissions
        implicit_permissions=[
            PermissionDecl(p["name"], dangerous=bool(p.get("dangerous")), implied_by=str(p["implied_by"]))
            for p in perms[:1000]
            if isinstance(p, dict) and isinstance(p.get("name"), str) and p.get("implied_by")
        ],
    )


def manifest_lookup(session: Session, data_dir: Path) -> Callable[[int], ManifestFacts | None]:
    """App version id → the manifest of that version from its newest completed self-check (the only APKs the
    service itself holds and scanned), cached for one upload; None when the service does not know it."""
    cache: dict[int, ManifestFacts | None] = {}

    def lookup(version_id: int) -> ManifestFacts | None:
        if version_id not in cache:
            sc = session.scalars(
                select(SelfCheck)
                .join(ScanRun, ScanRun.id == SelfCheck.scan_run_id)
                .where(SelfCheck.status == "done", ScanRun.app_version_id == version_id)
                .order_by(SelfCheck.id.desc())
            ).first()
            report = None
            if sc is not None:
                try:
                    report = stored_report(session, data_dir, sc)
                except (OSError, ValueError, InputError):
                    log.warning("self-check %s: stored report unreadable", sc.id)
            cache[version_id] = manifest_from_report(report) if report is not None else None
        return cache[version_id]

    return lookup
