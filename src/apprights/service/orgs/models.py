"""Registry of organisations: provinces, enterprises, test agencies, SDKs and their vendors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from apprights.service.db import Base


class Province(Base):
    """One of the 31 provincial communication administrations (通信管理局)."""

    __tablename__ = "provinces"
    code: Mapped[str] = mapped_column(String(2), primary_key=True)  # GB/T 2260 two-digit code
    name_zh: Mapped[str] = mapped_column(String(32))
    name_en: Mapped[str] = mapped_column(String(64))
    administration_zh: Mapped[str] = mapped_column(String(64))


class Enterprise(Base):
    __tablename__ = "enterprises"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    province_code: Mapped[str] = mapped_column(ForeignKey("provinces.code"), index=True)
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)


class TestAgency(Base):
    __tablename__ = "test_agencies"
    __test__ = False  # not a pytest class
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class SdkVendor(Base):
    __tablename__ = "sdk_vendors"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Sdk(Base):
    __tablename__ = "sdks"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(64), default="")
    vendor_id: Mapped[int | None] = mapped_column(ForeignKey("sdk_vendors.id"), nullable=True)
