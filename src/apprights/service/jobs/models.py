"""The ``jobs`` table: background ingestion jobs shared by every service process (claimed, heart-beaten, re-queued)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from apprights.service.db import Base


class Job(Base):
    """One background job per kept submission (its id is the submission's id, which the API shows).

    ``status`` goes ``queued`` → ``running`` (``owner`` = worker ``host:pid:uuid``, ``heartbeat_at`` renewed while
    it runs) → ``done`` with ``outcome``, counters, ``errors`` (JSON list of {"where", "message"}) and
    ``scan_run_ids`` (JSON list). A running job whose heartbeat is older than the stale timeout is queued again,
    up to ``Settings.job_max_attempts`` claims, then ends ``rejected`` with the reason. ``params`` (JSON) holds
    what the submitter was allowed to ingest (agency, user, store, allowed packages) and the submission time."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_submission", "status", "submission_id"),)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id"), primary_key=True, autoincrement=False
    )
    kind: Mapped[str] = mapped_column(String(32))  # scan_ingest
    status: Mapped[str] = mapped_column(String(16))  # queued|running|done
    outcome: Mapped[str] = mapped_column(String(16), default="received")
    items_received: Mapped[int] = mapped_column(Integer, default=0)
    items_accepted: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[str] = mapped_column(Text, default="[]")
    scan_run_ids: Mapped[str] = mapped_column(Text, default="[]")
    params: Mapped[str] = mapped_column(Text, default="{}")
    owner: Mapped[str | None] = mapped_column(String(120), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    started_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
