"""Provincial violation leads (monthly) and stored evidence files."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from apprights.service.db import Base


class Lead(Base):
    __tablename__ = "leads"
    __table_args__ = (Index("ix_leads_period_province", "period", "province_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"))
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM: the month whose 15th closes it
    app_name: Mapped[str] = mapped_column(String(200))
    package: Mapped[str] = mapped_column(String(255), default="")
    store_name: Mapped[str] = mapped_column(String(200), default="")
    problem_type: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    app_id: Mapped[int | None] = mapped_column(ForeignKey("apps.id"), nullable=True)
    duplicate_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)


class StoredFile(Base):
    """An uploaded evidence file, stored on disk under the data dir by its sha256."""

    __tablename__ = "stored_files"
    __table_args__ = (Index("ix_stored_files_owner", "owner_kind", "owner_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_kind: Mapped[str] = mapped_column(String(16))  # lead|complaint
    owner_id: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    stored_at: Mapped[datetime] = mapped_column(DateTime)
