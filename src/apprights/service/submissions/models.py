"""One row per thing a user submitted (a report, a batch, a listing file, an evidence file, an APK …)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from apprights.service.db import Base


class Submission(Base):
    """Who submitted which bytes (kept on disk under ``<data dir>/files`` by sha256), when, through which intake
    path, and what came of it: ``received`` (stored, not yet judged), ``accepted``, ``partial``, ``rejected``
    or ``duplicate`` (the same bytes were already accepted), with the error messages as a JSON list."""

    __tablename__ = "submissions"
    __table_args__ = (Index("ix_submissions_kind_received", "kind", "received_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # scan_report|cli_ingest|listing|lead_file|…
    channel: Mapped[str] = mapped_column(String(16), default="api")  # api|cli|web|system
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # "" when the bytes could not be kept
    size: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor: Mapped[str] = mapped_column(String(100), default="")  # e.g. "agency:3", "cli"
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("test_agencies.id"), nullable=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), nullable=True)
    province_code: Mapped[str | None] = mapped_column(String(2), nullable=True)
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"), nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    outcome: Mapped[str] = mapped_column(String(16), default="received")
    items_received: Mapped[int] = mapped_column(Integer, default=0)
    items_accepted: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of {"where", "message"}
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), nullable=True, index=True)
