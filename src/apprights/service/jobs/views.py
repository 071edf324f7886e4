"""/api/v1/jobs/{id}: the status of a background ingestion job (its submitter and the ministry may look).

Read from the ``jobs`` table, so every service process answers the same."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, HTTPException

from apprights.service.deps import IdPath, Principal, Role, SessionDep, allow
from apprights.service.jobs.models import Job
from apprights.service.jobs.schemas import JobError, JobOut, JobStatus
from apprights.service.submissions.models import Submission
from apprights.service.timeutil import as_utc

router = APIRouter(tags=["jobs"])
SUBMITTERS = (Role.MINISTRY, Role.AGENCY, Role.ENTERPRISE)
STATUSES: tuple[JobStatus, ...] = ("queued", "running", "done")


def job_out(job: Job, sub: Submission) -> JobOut:
    errors: Any = orjson.loads(job.errors or "[]")
    run_ids: Any = orjson.loads(job.scan_run_ids or "[]")
    status: JobStatus = job.status if job.status in STATUSES else "queued"
    return JobOut(
        id=job.submission_id,
        kind="scan_ingest",
        status=status,
        submission_id=job.submission_id,
        outcome=job.outcome,
        size=sub.size,
        received_at=as_utc(sub.received_at),
        items_received=job.items_received,
        items_accepted=job.items_accepted,
        attempts=job.attempts,
        scan_run_ids=[int(i) for i in run_ids] if status == "done" else [],
        errors=[
            JobError(where=str(e.get("where", "")), message=str(e.get("message", "")))
            for e in errors[:1000]
            if isinstance(e, dict)
        ],
    )


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(
    job_id: IdPath,
    session: SessionDep,
    p: Annotated[Principal, Depends(allow(*SUBMITTERS))],
) -> JobOut:
    """A background ingestion job (``POST /scans`` answered ``202``): ``queued`` → ``running`` → ``done``, then
    the outcome (``accepted``, ``partial``, ``rejected``, ``duplicate``), counts, errors and the scan runs."""
    job = session.get(Job, job_id)
    sub = session.get(Submission, job_id) if job is not None else None
    if job is None or sub is None or (p.role is not Role.MINISTRY and sub.submitted_by != p.user_id):
        raise HTTPException(404, "任务不存在 / no such job")
    return job_out(job, sub)
