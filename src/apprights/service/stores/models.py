"""Distribution platforms (app stores) and removal confirmations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from apprights.service.db import Base


class Store(Base):
    __tablename__ = "stores"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), nullable=True)


class RemovalConfirmation(Base):
    """A store's confirmation that it removed the apps of a removal (下架) order from its platform."""

    __tablename__ = "removal_confirmations"
    __table_args__ = (UniqueConstraint("notice_id", "store_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    confirmed_at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(String(500), default="")


class ListingUpload(Base):
    """One submitted ``apprights-listing/1`` payload; the raw bytes are kept on disk by sha256."""

    __tablename__ = "listing_uploads"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_files.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="stored")  # stored|parsed|rejected
    error: Mapped[str] = mapped_column(String(1000), default="")
    listings: Mapped[int] = mapped_column(Integer, default=0)


class ListingSnapshot(Base):
    """What one store showed for one app at one moment (one item of an upload)."""

    __tablename__ = "listing_snapshots"
    __table_args__ = (Index("ix_listing_snapshots_store_captured", "store_id", "captured_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("listing_uploads.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"))
    app_id: Mapped[int | None] = mapped_column(ForeignKey("apps.id"), nullable=True, index=True)
    package: Mapped[str] = mapped_column(String(255), default="")
    app_name: Mapped[str] = mapped_column(String(200), default="")
    developer_name: Mapped[str] = mapped_column(String(200), default="")
    version_name: Mapped[str] = mapped_column(String(100), default="")
    url: Mapped[str] = mapped_column(String(1000), default="")
    listed: Mapped[bool] = mapped_column(Boolean)
    captured_at: Mapped[datetime] = mapped_column(DateTime)
