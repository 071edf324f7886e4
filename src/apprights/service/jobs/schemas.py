"""Job status as the API shows it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from apprights.service.timeutil import UtcTime

JobStatus = Literal["queued", "running", "done"]


class JobError(BaseModel):
    where: str
    message: str


class JobOut(BaseModel):
    id: int
    kind: Literal["scan_ingest"]
    status: JobStatus
    submission_id: int
    outcome: str  # the submission's: received until done, then accepted|partial|rejected|duplicate
    size: int
    received_at: UtcTime
    items_received: int
    items_accepted: int
    attempts: int = 0  # claims by a worker (more than 1: a worker stopped and the job was queued again)
    scan_run_ids: list[int] = []
    errors: list[JobError] = []
