"""Background ingestion jobs kept in the database (``jobs`` table) and run by worker processes.

A job is a ``submissions`` row (kind ``scan_report``, channel ``job``) whose bytes are already on disk and
committed, plus a ``jobs`` row (same id) added in the same transaction. Any worker process of any service process
may run it:

- **claim**: the oldest ``queued`` job is taken atomically (PostgreSQL ``FOR UPDATE SKIP LOCKED``; SQLite a
  conditional ``UPDATE … WHERE status = 'queued'`` whose row count says who won). The claim sets ``owner``
  (``host:pid:uuid``), ``heartbeat_at`` and ``attempts + 1``.
- **run**: the worker reads the bytes back by sha256 and ingests them with ``scans.ingest.ingest_payload`` in one
  transaction; a thread renews ``heartbeat_at`` every ``heartbeat_s`` meanwhile. The job is marked ``done`` by a
  conditional ``UPDATE … WHERE owner = me AND status = 'running'`` in the same transaction as the ingest: a worker
  that lost the job (re-queued after a stale heartbeat) rolls its ingest back instead of committing it twice.
- **re-queue**: a ``running`` job whose heartbeat is older than ``stale_after_s`` (its worker died or hangs) is
  queued again; after ``max_attempts`` claims it ends ``rejected`` with the reason. Its bytes stay kept.
  Ingestion is idempotent (a report already stored is a duplicate), so a job run again is safe.

The worker process lowers its own CPU priority (``os.nice``): background ingestion yields to interactive reads.
It is spawned (never forked: the serving process has threads) on the first job a service process accepts, or at
start-up when the database holds unfinished jobs.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event as MpEvent
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, event, exists, select, update
from sqlalchemy.orm import Session, sessionmaker

from apprights.errors import InputError
from apprights.service.db import make_engine, make_sessionmaker, session_scope, utc_naive
from apprights.service.jobs.models import Job
from apprights.service.submissions import service as submissions
from apprights.service.submissions.models import Submission

log = logging.getLogger(__name__)

JOB_CHANNEL = "job"
KIND = "scan_ingest"
GAVE_UP = "处理多次中断，已放弃 / the job's worker stopped {n} times (no heartbeat for {s:.0f} s); gave up"


@dataclass(frozen=True)
class JobConfig:
    """What a worker process needs (picklable: it crosses into the spawned process)."""

    db_url: str
    data_dir: str
    heartbeat_s: float = 5.0
    stale_after_s: float = 60.0
    max_attempts: int = 3
    poll_s: float = 1.0
    nice: int = 10


def worker_id() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def wall_clock() -> datetime:
    """Heartbeats use the real clock (naive UTC), never the service's (tests move that one)."""
    return datetime.now(UTC).replace(tzinfo=None)


def enqueue(
    session: Session,
    sub: Submission,
    *,
    now: datetime,
    agency_id: int | None = None,
    user_id: int | None = None,
    store_id: int | None = None,
    allowed_packages: set[str] | None = None,
    self_check: bool = False,
    campaign_id: int | None = None,
) -> Job:
    """Add the ``queued`` job of the kept submission ``sub`` (flushed; the caller commits with the submission)."""
    params: dict[str, Any] = {
        "now": utc_naive(now).isoformat(),
        "agency_id": agency_id,
        "user_id": user_id,
        "store_id": store_id,
        "allowed_packages": sorted(allowed_packages) if allowed_packages is not None else None,
        "self_check": self_check,
        "campaign_id": campaign_id,
    }
    job = Job(
        submission_id=sub.id,
        kind=KIND,
        status="queued",
        outcome="received",
        items_received=0,
        items_accepted=0,
        errors="[]",
        scan_run_ids="[]",
        params=orjson.dumps(params).decode(),
        attempts=0,
        created_at=wall_clock(),
    )
    session.add(job)
    session.flush()
    return job


def has_unfinished(factory: sessionmaker[Session]) -> bool:
    with session_scope(factory) as s:
        return bool(s.scalar(select(exists().where(Job.status != "done"))))


def requeue_stale(session: Session, *, stale_after_s: float, max_attempts: int) -> int:
    """Queue again the running jobs whose heartbeat is older than ``stale_after_s``; give up (``rejected``) on
    those already claimed ``max_attempts`` times. Each change is a conditional update, so a worker that finishes
    at the same moment wins or loses cleanly. Commits; returns how many jobs were re-queued or given up."""
    now = wall_clock()
    cutoff = now - timedelta(seconds=stale_after_s)
    stale = session.execute(
        select(Job.submission_id, Job.attempts).where(Job.status == "running", Job.heartbeat_at < cutoff)
    ).all()
    session.rollback()
    changed = 0
    for job_id, attempts in stale:
        cond = (Job.submission_id == job_id, Job.status == "running", Job.heartbeat_at < cutoff)
        if attempts >= max_attempts:
            msg = GAVE_UP.format(n=attempts, s=stale_after_s)
            errs = [("job", msg)]
            r = session.execute(
                update(Job)
                .where(*cond)
                .values(
                    status="done",
                    outcome="rejected",
                    errors=orjson.dumps([{"where": "job", "message": msg}]).decode(),
                    finished_at=now,
                )
            )
            if r.rowcount == 1:  # type: ignore[attr-defined]
                sub = session.get(Submission, job_id)
                if sub is not None:
                    submissions.finish(sub, received=0, accepted=0, errors=errs, outcome="rejected")
                log.error("job %s: gave up after %d attempts", job_id, attempts)
        else:
            r = session.execute(update(Job).where(*cond).values(status="queued", owner=None))
            if r.rowcount == 1:  # type: ignore[attr-defined]
                log.warning("job %s: no heartbeat for %.0f s, queued again", job_id, stale_after_s)
        changed += r.rowcount  # type: ignore[attr-defined]
        session.commit()
    return changed


def claim(session: Session, owner: str) -> int | None:
    """Take the oldest queued job for ``owner`` (commits); None when there is none."""
    now = wall_clock()
    values: dict[str, Any] = {
        "status": "running",
        "owner": owner,
        "heartbeat_at": now,
        "started_at": now,
        "attempts": Job.attempts + 1,
    }
    if session.get_bind().dialect.name == "postgresql":
        oldest = (
            select(Job.submission_id)
            .where(Job.status == "queued")
            .order_by(Job.submission_id)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        got = session.scalar(
            update(Job).where(Job.submission_id == oldest).values(**values).returning(Job.submission_id)
        )
        session.commit()
        return got
    for _ in range(20):  # SQLite: lost races retry with the next oldest
        job_id = session.scalar(
            select(Job.submission_id).where(Job.status == "queued").order_by(Job.submission_id).limit(1)
        )
        if job_id is None:
            session.rollback()
            return None
        r = session.execute(
            update(Job).where(Job.submission_id == job_id, Job.status == "queued").values(**values)
        )
        session.commit()
        if r.rowcount == 1:  # type: ignore[attr-defined]
            return int(job_id)
    return None


def _heartbeat(
    factory: sessionmaker[Session], job_id: int, owner: str, every_s: float, stop: threading.Event
) -> None:
    while not stop.wait(every_s):
        try:
            with session_scope(factory) as s:
                r = s.execute(
                    update(Job)
                    .where(Job.submission_id == job_id, Job.owner == owner, Job.status == "running")
                    .values(heartbeat_at=wall_clock())
                )
                if r.rowcount != 1:  # type: ignore[attr-defined]
                    # on SQLite this update waits for the ingest's own write lock: by then the job may be done
                    state = s.execute(
                        select(Job.status, Job.owner).where(Job.submission_id == job_id)
                    ).first()
                    if not stop.is_set() and state is not None and tuple(state) != ("done", owner):
                        log.warning(
                            "job %s: no longer ours (re-queued); its ingest will be rolled back", job_id
                        )
                    return
        except Exception:  # a locked database (SQLite, a long write) must not end the thread
            log.exception("job %s: heartbeat failed", job_id)


def _mark_done(
    session: Session,
    job_id: int,
    owner: str,
    sub: Submission,
    *,
    run_ids: list[int],
) -> bool:
    """Copy the submission's outcome onto the job and mark it done, if ``owner`` still holds it."""
    r = session.execute(
        update(Job)
        .where(Job.submission_id == job_id, Job.owner == owner, Job.status == "running")
        .values(
            status="done",
            outcome=sub.outcome,
            items_received=sub.items_received,
            items_accepted=sub.items_accepted,
            errors=sub.errors,
            scan_run_ids=orjson.dumps(run_ids).decode(),
            finished_at=wall_clock(),
        )
    )
    return r.rowcount == 1  # type: ignore[attr-defined, no-any-return]


def run_claimed(factory: sessionmaker[Session], cfg: JobConfig, job_id: int, owner: str) -> dict[str, int]:
    """Ingest the claimed job ``job_id`` and mark it done, all in one transaction; a heartbeat runs meanwhile.

    Returns the counts; ``{"received": 0, "stored": 0}`` when the job was lost to a re-queue (rolled back)."""
    from apprights.service.scans.ingest import ingest_payload
    from apprights.service.scans.models import ScanRun
    from apprights.service.scans.selfcheck import mark_self_check

    stop = threading.Event()
    beat = threading.Thread(
        target=_heartbeat,
        args=(factory, job_id, owner, cfg.heartbeat_s, stop),
        name="job-heartbeat",
        daemon=True,
    )
    beat.start()
    try:
        with factory() as s:
            job = s.get(Job, job_id)
            sub = s.get(Submission, job_id)
            if job is None or sub is None:
                return {"received": 0, "stored": 0}
            params = orjson.loads(job.params)
            try:
                data = submissions.raw_bytes(Path(cfg.data_dir), sub)
            except InputError as e:
                submissions.finish(
                    sub, received=0, accepted=0, errors=[(e.path, e.problem)], outcome="rejected"
                )
                ok = _mark_done(s, job_id, owner, sub, run_ids=[])
                s.commit() if ok else s.rollback()
                return {"received": 0, "stored": 0}
            allowed = params.get("allowed_packages")
            res = ingest_payload(
                s,
                data,
                "request",
                now=datetime.fromisoformat(params["now"]),
                agency_id=params.get("agency_id"),
                user_id=params.get("user_id"),
                store_id=params.get("store_id"),
                allowed_packages=set(allowed) if allowed is not None else None,
                submission_id=job_id,
                campaign_id=params.get("campaign_id"),
            )
            del data
            run_ids: list[int] = []
            if res.errors and not res.stored and not res.duplicates:
                s.rollback()
                sub = s.get(Submission, job_id)
                assert sub is not None
                submissions.finish(
                    sub, received=res.received, accepted=0, errors=res.errors, outcome="rejected"
                )
            else:
                if params.get("self_check") and res.scan_run_ids:
                    mark_self_check(s, res.scan_run_ids)
                submissions.finish(
                    sub,
                    received=res.received,
                    accepted=res.stored,
                    errors=res.errors,
                    duplicates=res.duplicates,
                )
                s.flush()
                run_ids = list(
                    s.scalars(select(ScanRun.id).where(ScanRun.submission_id == job_id).order_by(ScanRun.id))
                )
            if not _mark_done(s, job_id, owner, sub, run_ids=run_ids):
                s.rollback()
                log.warning("job %s: lost to a re-queue while running; rolled back", job_id)
                return {"received": 0, "stored": 0}
            s.commit()
            return {"received": res.received, "stored": res.stored}
    except Exception as e:
        log.exception("job %s failed", job_id)
        _fail(factory, job_id, owner, f"内部错误 / internal error: {type(e).__name__}: {str(e)[:300]}")
        return {"received": 0, "stored": 0}
    finally:
        stop.set()
        beat.join(timeout=5)


def _fail(factory: sessionmaker[Session], job_id: int, owner: str, message: str) -> None:
    try:
        with session_scope(factory) as s:
            sub = s.get(Submission, job_id)
            if sub is None:
                return
            submissions.finish(sub, received=0, accepted=0, errors=[("job", message)], outcome="rejected")
            if not _mark_done(s, job_id, owner, sub, run_ids=[]):
                s.rollback()
    except Exception:
        log.exception("could not record the failure of job %s", job_id)


def run_next(factory: sessionmaker[Session], cfg: JobConfig, owner: str) -> int | None:
    """Re-queue stale jobs, then claim and run the oldest queued one; its id, or None when there was none."""
    with factory() as s:
        requeue_stale(s, stale_after_s=cfg.stale_after_s, max_attempts=cfg.max_attempts)
        job_id = claim(s, owner)
    if job_id is None:
        return None
    run_claimed(factory, cfg, job_id, owner)
    return job_id


def worker_main(cfg: JobConfig, wake: MpEvent | None, stop: MpEvent | None, once: bool = False) -> list[int]:
    """The worker process: run jobs until ``stop`` is set (``once``: until the queue is empty); the ids it ran."""
    if cfg.nice:
        try:
            os.nice(cfg.nice)
        except OSError:  # not permitted here: run at normal priority
            log.warning("job worker: could not lower its CPU priority")
    from apprights.service import models  # noqa: F401  (every table, for the foreign keys)

    logging.basicConfig(level=logging.INFO)
    engine = make_engine(cfg.db_url, pool_size=2)
    if cfg.nice:
        _nice_local_backends(engine, cfg.nice)
    factory = make_sessionmaker(engine)
    owner = worker_id()
    ran: list[int] = []
    try:
        while stop is None or not stop.is_set():
            if wake is not None:
                wake.clear()
            try:
                job_id = run_next(factory, cfg, owner)
            except Exception:  # a database hiccup must not end the worker
                log.exception("job worker: could not take a job")
                job_id = None
            if job_id is not None:
                ran.append(job_id)
                continue
            if once:
                break
            if wake is not None:
                wake.wait(cfg.poll_s)
            elif stop is not None:
                stop.wait(cfg.poll_s)
    finally:
        engine.dispose()
    return ran


def _nice_local_backends(engine: Engine, nice: int) -> None:
    """On a PostgreSQL server on this machine, the backend that does the job's inserts gets the worker's lower
    CPU priority too (best effort: only where this user may renice it, e.g. the same user or root)."""
    url = engine.url
    if url.get_backend_name() != "postgresql" or (url.host or "localhost") not in (
        "localhost",
        "127.0.0.1",
        "::1",
    ):
        return

    @event.listens_for(engine, "connect")
    def _renice(dbapi_conn: Any, _record: Any) -> None:
        try:
            with dbapi_conn.cursor() as cur:
                cur.execute("SELECT pg_backend_pid()")
                pid = int(cur.fetchone()[0])
            dbapi_conn.commit()
            # the pid must be a PostgreSQL process here (not a server in a container that reuses pids)
            if not Path(f"/proc/{pid}/comm").read_text().startswith("postgres"):
                return
            os.setpriority(os.PRIO_PROCESS, pid, max(os.getpriority(os.PRIO_PROCESS, pid), nice))
        except (OSError, ValueError, TypeError):  # not ours to renice, or not on this machine
            return


class JobRunner:
    """The job worker process of one service process (spawned on first use; several service processes each
    have one and share the queue through the database)."""

    def __init__(self, cfg: JobConfig, factory: sessionmaker[Session]) -> None:
        self.cfg = cfg
        self.factory = factory
        self._proc: BaseProcess | None = None
        self._wake: MpEvent | None = None
        self._stop: MpEvent | None = None
        self._lock = threading.Lock()

    def start_if_pending(self) -> bool:
        """At start-up: start the worker when the database holds unfinished jobs (of a stopped instance)."""
        if has_unfinished(self.factory):
            self.wake()
            return True
        return False

    def wake(self) -> None:
        """A job was queued: make sure the worker runs and looks now."""
        with self._lock:
            if self._proc is None or not self._proc.is_alive():
                ctx = multiprocessing.get_context("spawn")  # the serving process has threads: never fork it
                self._wake, self._stop = ctx.Event(), ctx.Event()
                self._proc = ctx.Process(
                    target=worker_main,
                    args=(self.cfg, self._wake, self._stop),
                    name="apprights-jobs",
                    daemon=True,
                )
                self._proc.start()
            assert self._wake is not None
            self._wake.set()

    def shutdown(self, timeout_s: float = 30.0) -> None:
        """Stop the worker after its current job (killed after ``timeout_s``: its job is re-queued later)."""
        with self._lock:
            proc, self._proc = self._proc, None
            if proc is None:
                return
            assert self._stop is not None and self._wake is not None
            self._stop.set()
            self._wake.set()
        proc.join(timeout_s)
        if proc.is_alive():
            log.warning("job worker did not stop within %.0f s; terminating it", timeout_s)
            proc.terminate()
            proc.join(5)
