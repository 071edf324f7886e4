"""Run ingestion jobs in a separate worker process, one after another.

A job is a ``submissions`` row (kind ``scan_report``, channel ``job``) whose bytes are already on disk and
committed; the worker reads them back by sha256, ingests them with ``scans.ingest.ingest_payload`` and records the
outcome on the row. A process (not a thread) keeps the CPU-bound parsing off the serving process's GIL, so readers
are not slowed down while an 84 MB batch goes in. A job interrupted by a restart is marked ``rejected`` with a clear
message on start-up (its bytes stay kept: ``/submissions/{id}/raw``), never silently left ``received``.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from apprights.errors import InputError
from apprights.service.db import make_engine, make_sessionmaker, session_scope
from apprights.service.jobs.schemas import JobStatus
from apprights.service.submissions import service as submissions
from apprights.service.submissions.models import Submission

log = logging.getLogger(__name__)

JOB_CHANNEL = "job"
INTERRUPTED = "处理中断（服务重启），请重新提交 / interrupted by a service restart; submit the batch again"


@dataclass(frozen=True)
class IngestJob:
    """Everything the worker needs (picklable: it crosses into the worker process)."""

    submission_id: int
    db_url: str
    data_dir: str
    now: datetime
    agency_id: int | None = None
    user_id: int | None = None
    store_id: int | None = None
    allowed_packages: frozenset[str] | None = None
    campaign_id: int | None = None


def run_ingest_job(job: IngestJob) -> dict[str, int]:
    """In the worker process: ingest the kept batch of ``job.submission_id`` and record the outcome."""
    from apprights.service import models  # noqa: F401  (every table, for the foreign keys)
    from apprights.service.scans.ingest import ingest_payload

    engine = make_engine(job.db_url)
    try:
        factory = make_sessionmaker(engine)
        with session_scope(factory) as s:
            sub = s.get(Submission, job.submission_id)
            if sub is None or sub.outcome != "received":
                return {"received": 0, "stored": 0}
            try:
                data = submissions.raw_bytes(Path(job.data_dir), sub)
            except InputError as e:
                submissions.finish(
                    sub, received=0, accepted=0, errors=[(e.path, e.problem)], outcome="rejected"
                )
                return {"received": 0, "stored": 0}
            res = ingest_payload(
                s,
                data,
                "request",
                now=job.now,
                agency_id=job.agency_id,
                user_id=job.user_id,
                store_id=job.store_id,
                allowed_packages=set(job.allowed_packages) if job.allowed_packages is not None else None,
                submission_id=job.submission_id,
                campaign_id=job.campaign_id,
            )
            if res.errors and not res.stored and not res.duplicates:
                s.rollback()
                sub = s.get(Submission, job.submission_id)
                assert sub is not None
                submissions.finish(
                    sub, received=res.received, accepted=0, errors=res.errors, outcome="rejected"
                )
            else:
                submissions.finish(
                    sub,
                    received=res.received,
                    accepted=res.stored,
                    errors=res.errors,
                    duplicates=res.duplicates,
                )
        return {"received": res.received, "stored": res.stored}
    finally:
        engine.dispose()


class JobRunner:
    """One worker process per service instance; jobs run in submission order."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[int, Future[dict[str, int]]] = {}
        self._lock = threading.Lock()

    def submit(self, job: IngestJob) -> None:
        with self._lock:
            if self._pool is None:
                ctx = multiprocessing.get_context("spawn")  # the serving process has threads: never fork it
                self._pool = ProcessPoolExecutor(max_workers=1, mp_context=ctx)
            fut = self._pool.submit(run_ingest_job, job)
            self._futures[job.submission_id] = fut
        fut.add_done_callback(lambda f: self._done(job.submission_id, f))

    def state(self, submission_id: int) -> JobStatus | None:
        """``queued`` or ``running`` while this instance holds the job; None otherwise."""
        with self._lock:
            fut = self._futures.get(submission_id)
        if fut is None or fut.done():
            return None
        return "running" if fut.running() else "queued"

    def _done(self, submission_id: int, fut: Future[dict[str, int]]) -> None:
        exc = fut.exception()
        with self._lock:
            self._futures.pop(submission_id, None)
            if exc is not None and self._pool is not None and getattr(self._pool, "_broken", False):
                self._pool = None  # a crashed worker breaks the pool: the next job starts a fresh one
        if exc is None:
            return
        log.error("ingest job %s failed: %s: %s", submission_id, type(exc).__name__, exc)
        self._reject(submission_id, f"内部错误 / internal error: {type(exc).__name__}: {str(exc)[:300]}")

    def _reject(self, submission_id: int, message: str) -> None:
        try:
            with session_scope(self.factory) as s:
                sub = s.get(Submission, submission_id)
                if sub is not None and sub.outcome == "received":
                    submissions.finish(
                        sub, received=0, accepted=0, errors=[("job", message)], outcome="rejected"
                    )
        except Exception:  # the callback thread must survive; the log says what happened
            log.exception("could not record the failure of ingest job %s", submission_id)

    def interrupted(self) -> int:
        """Mark jobs a previous instance left unfinished (on start-up, before any new job)."""
        with session_scope(self.factory) as s:
            rows = list(
                s.scalars(
                    select(Submission).where(
                        Submission.channel == JOB_CHANNEL, Submission.outcome == "received"
                    )
                )
            )
            for sub in rows:
                submissions.finish(
                    sub, received=0, accepted=0, errors=[("job", INTERRUPTED)], outcome="rejected"
                )
        return len(rows)

    def shutdown(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=False)
