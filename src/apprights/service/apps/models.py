"""Apps, their versions and their listings on distribution platforms."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from apprights.service.db import Base


class App(Base):
    __tablename__ = "apps"
    id: Mapped[int] = mapped_column(primary_key=True)
    package: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), nullable=True, index=True)
    developer: Mapped[str] = mapped_column(String(200), default="")  # as reported, before registration
    # How the enterprise binding was established: "" (none, or first seen in a scan), "registered" (the
    # enterprise registered a new package), "signer" (signing certificate of a submitted APK matched the
    # scanned versions), "decision" (a ministry or province decision).
    ownership: Mapped[str] = mapped_column(String(16), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)


class AppVersion(Base):
    __tablename__ = "app_versions"
    __table_args__ = (UniqueConstraint("app_id", "version_name", "version_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("apps.id"), index=True)
    version_name: Mapped[str] = mapped_column(String(100), default="")
    version_code: Mapped[int] = mapped_column(Integer, default=0)
    apk_sha256: Mapped[str] = mapped_column(String(64), default="")
    signer_sha256: Mapped[str] = mapped_column(String(64), default="")
    first_seen: Mapped[datetime] = mapped_column(DateTime)


class Listing(Base):
    """An app's listing on one distribution platform."""

    __tablename__ = "listings"
    __table_args__ = (UniqueConstraint("app_id", "store_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    app_id: Mapped[int] = mapped_column(ForeignKey("apps.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id"), index=True)
    url: Mapped[str] = mapped_column(String(1000), default="")
    version_name: Mapped[str] = mapped_column(String(100), default="")
