"""Distribution platforms (app stores) and removal confirmations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
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
