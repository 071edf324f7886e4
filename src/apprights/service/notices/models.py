"""Notices: rectification notices to enterprises, public notice (通报) batches, removal (下架) orders."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from apprights.service.db import Base


class Notice(Base):
    __tablename__ = "notices"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # rectification|public|removal
    notice_no: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    intro: Mapped[str] = mapped_column(Text, default="")
    issuer: Mapped[str] = mapped_column(String(200), default="")
    issued_on: Mapped[date] = mapped_column(Date)
    working_days: Mapped[int] = mapped_column(Integer, default=5)
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class NoticeCase(Base):
    __tablename__ = "notice_cases"
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True, index=True)


class NoticeSnapshot(Base):
    """What a notice said when it was published: the document's data (app and enterprise names, versions,
    problems) and its rendered HTML/PDF with their sha256. Written once at publication, never changed (the
    session and the database refuse updates and deletes), so later renames do not alter a published 通报."""

    __tablename__ = "notice_snapshots"
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), primary_key=True, autoincrement=False)
    taken_at: Mapped[datetime] = mapped_column(DateTime)
    document: Mapped[str] = mapped_column(Text)  # JSON of the document dataclass
    html: Mapped[str] = mapped_column(Text)
    html_sha256: Mapped[str] = mapped_column(String(64))
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # None: no CJK font at publication
    pdf_sha256: Mapped[str] = mapped_column(String(64), default="")
