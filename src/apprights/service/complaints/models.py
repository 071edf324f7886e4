"""Complaints received through 12321 and the detection tasks they trigger."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from apprights.service.db import Base


class Complaint(Base):
    __tablename__ = "complaints"
    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    app_name: Mapped[str] = mapped_column(String(200), default="")
    package: Mapped[str] = mapped_column(String(255), default="")
    store_name: Mapped[str] = mapped_column(String(200), default="")
    app_id: Mapped[int | None] = mapped_column(ForeignKey("apps.id"), nullable=True, index=True)
    group_key: Mapped[str] = mapped_column(String(255), index=True)  # package, else the normalised name
    problem_type: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    # The complainant's name, phone and email, encrypted (Fernet) — never stored in clear.
    contact_ciphertext: Mapped[str] = mapped_column(Text)


class DetectionTask(Base):
    __tablename__ = "detection_tasks"
    id: Mapped[int] = mapped_column(primary_key=True)
    group_key: Mapped[str] = mapped_column(String(255), index=True)
    app_id: Mapped[int | None] = mapped_column(ForeignKey("apps.id"), nullable=True)
    reason: Mapped[str] = mapped_column(String(500))
    complaint_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued|done
    created_at: Mapped[datetime] = mapped_column(DateTime)
