"""Scan runs and their findings: rows keyed by fingerprint, never result blobs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from apprights.service.db import Base


class ScanRun(Base):
    __tablename__ = "scan_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    report_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("apps.id"), index=True)
    app_version_id: Mapped[int] = mapped_column(ForeignKey("app_versions.id"), index=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"), nullable=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("test_agencies.id"), nullable=True)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    tool_name: Mapped[str] = mapped_column(String(100), default="")
    tool_version: Mapped[str] = mapped_column(String(100), default="")
    ruleset: Mapped[str] = mapped_column(String(100), default="")
    knowledge: Mapped[str] = mapped_column(String(100), default="")
    finding_count: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    # An enterprise's self-check (its own upload scanned by the service): not an agency result; its findings
    # are never reviewed and never open a regulator case.
    self_check: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The submission whose raw bytes hold this report (line ``submission_line`` of a JSON-Lines batch, 0 = the
    # whole file): a reviewer downloads the exact report a finding came from.
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"), nullable=True, index=True)
    submission_line: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The detection campaign (专项行动) the run was part of, when the agency named one.
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), nullable=True, index=True)


class Finding(Base):
    __tablename__ = "findings"
    __table_args__ = (
        UniqueConstraint("scan_run_id", "fingerprint"),
        Index("ix_findings_app_status", "app_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    scan_run_id: Mapped[int] = mapped_column(ForeignKey("scan_runs.id"))
    app_id: Mapped[int] = mapped_column(ForeignKey("apps.id"))
    app_version_id: Mapped[int] = mapped_column(ForeignKey("app_versions.id"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(128), index=True)
    rule: Mapped[str] = mapped_column(String(128))
    problem_type: Mapped[int] = mapped_column(Integer)
    severity: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[str] = mapped_column(String(32))
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_key: Mapped[str] = mapped_column(String(200))
    subject_name: Mapped[str] = mapped_column(String(200), default="")
    title_zh: Mapped[str] = mapped_column(String(500), default="")
    title_en: Mapped[str] = mapped_column(String(500), default="")
    # A few evidence pointers as JSON text (capped); the full report stays with the agency.
    evidence: Mapped[str] = mapped_column(Text, default="[]")
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|confirmed|dismissed
    review_reason: Mapped[str] = mapped_column(String(1000), default="")
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)


class SelfCheck(Base):
    """An APK an enterprise uploaded for a self-check: kept on disk by sha256, scanned in the background."""

    __tablename__ = "self_checks"
    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("apps.id"), index=True)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    apk_sha256: Mapped[str] = mapped_column(String(64), index=True)
    apk_size: Mapped[int] = mapped_column(Integer)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued|running|done|failed|rejected
    error: Mapped[str] = mapped_column(String(1000), default="")
    scan_run_id: Mapped[int | None] = mapped_column(ForeignKey("scan_runs.id"), nullable=True)
    report_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
