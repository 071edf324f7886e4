from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from apprights.service.inputs import InModel


class StoreIn(InModel):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(min_length=1, max_length=200)
    enterprise_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class StoreOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    enterprise_id: int | None


class RemovalConfirmIn(InModel):
    note: str = Field(default="", max_length=500)


class RemovalConfirmationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    notice_id: int
    store_id: int
    confirmed_at: datetime
    note: str
