"""Rectification cases, one per (app, problem type) episode, and enterprises' responses."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from apprights.service.db import Base


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_app_type", "app_id", "problem_type"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("apps.id"))
    app_version_id: Mapped[int] = mapped_column(ForeignKey("app_versions.id"))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id"), nullable=True)
    province_code: Mapped[str | None] = mapped_column(ForeignKey("provinces.code"), nullable=True, index=True)
    problem_type: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(32), index=True)
    closed_as: Mapped[str] = mapped_column(String(32), default="")  # the state the case was in when closed
    repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    repeat_of_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    working_days: Mapped[int] = mapped_column(Integer, default=5)
    opened_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class CaseResponse(Base):
    """An enterprise's answer to a rectification notice (optionally with the rectified version's scan)."""

    __tablename__ = "case_responses"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime)
    text: Mapped[str] = mapped_column(Text)
    scan_run_id: Mapped[int | None] = mapped_column(ForeignKey("scan_runs.id"), nullable=True)
    # After the deadline (Beijing date): kept and shown, but it does not stop the overdue job.
    late: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The rebuilt version the answer is about (as the enterprise names it; its scan is ``scan_run_id``).
    version_name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    version_code: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class CalendarYear(Base):
    """An operator-loaded official holiday schedule for one year (State Council notice)."""

    __tablename__ = "calendar_years"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holidays: Mapped[str] = mapped_column(Text)  # JSON list of ISO dates
    workdays: Mapped[str] = mapped_column(Text)  # JSON list of ISO dates (make-up working days)
    source: Mapped[str] = mapped_column(String(500), default="")
    loaded_at: Mapped[datetime] = mapped_column(DateTime)
    loaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
