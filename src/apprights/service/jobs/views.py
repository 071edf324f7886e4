"""/api/v1/jobs/{id}: the status of a background ingestion job (its submitter and the ministry may look)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy import select

from apprights.service.deps import IdPath, Principal, Role, SessionDep, allow
from apprights.service.jobs.runner import JOB_CHANNEL, JobRunner
from apprights.service.jobs.schemas import JobError, JobOut, JobStatus
from apprights.service.scans.models import ScanRun
from apprights.service.submissions import service as submissions
from apprights.service.submissions.models import Submission
from apprights.service.timeutil import as_utc

router = APIRouter(tags=["jobs"])
SUBMITTERS = (Role.MINISTRY, Role.AGENCY, Role.ENTERPRISE)


def job_out(session: SessionDep, sub: Submission, runner: JobRunner) -> JobOut:
    live = runner.state(sub.id)
    status: JobStatus = live or ("queued" if sub.outcome == "received" else "done")
    run_ids = (
        list(session.scalars(select(ScanRun.id).where(ScanRun.submission_id == sub.id).order_by(ScanRun.id)))
        if status == "done"
        else []
    )
    return JobOut(
        id=sub.id,
        kind="scan_ingest",
        status=status,
        submission_id=sub.id,
        outcome=sub.outcome,
        size=sub.size,
        received_at=as_utc(sub.received_at),
        items_received=sub.items_received,
        items_accepted=sub.items_accepted,
        scan_run_ids=run_ids,
        errors=[
            JobError(where=str(e.get("where", "")), message=str(e.get("message", "")))
            for e in submissions.errors_of(sub)[:1000]
            if isinstance(e, dict)
        ],
    )


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(
    job_id: IdPath,
    request: Request,
    session: SessionDep,
    p: Annotated[Principal, Depends(allow(*SUBMITTERS))],
) -> JobOut:
    """A background ingestion job (``POST /scans`` answered ``202``): ``queued`` → ``running`` → ``done``, then
    the outcome (``accepted``, ``partial``, ``rejected``, ``duplicate``), counts, errors and the scan runs."""
    sub = session.get(Submission, job_id)
    if (
        sub is None
        or sub.channel != JOB_CHANNEL
        or (p.role is not Role.MINISTRY and sub.submitted_by != p.user_id)
    ):
        raise HTTPException(404, "任务不存在 / no such job")
    runner: JobRunner = request.app.state.jobs
    return job_out(session, sub, runner)
