from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, computed_field

from apprights.service.inputs import InModel
from apprights.service.timeutil import DEADLINE_AT_DOC, UtcTime, deadline_end


class NoticeKind(StrEnum):
    RECTIFICATION = "rectification"
    PUBLIC = "public"
    REMOVAL = "removal"


class DocFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"
    XLSX = "xlsx"


_ID = Field(ge=1, le=2**31 - 1)


class RectificationIn(InModel):
    issued_on: date | None = Field(default=None, description="default: today (Beijing time)")
    working_days: int | None = Field(default=None, ge=1, le=60, description="default: settings (5)")
    issuer: str = Field(default="", max_length=200)


class BatchIn(InModel):
    case_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(min_length=1, max_length=2000)
    title: str = Field(default="", max_length=300)
    batch_no: str = Field(default="", max_length=100)
    intro: str = Field(default="", max_length=5000)
    issued_on: date | None = None
    working_days: int | None = Field(default=None, ge=1, le=60)
    issuer: str = Field(default="", max_length=200)


class NoticeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    notice_no: str
    title: str
    issuer: str
    issued_on: date
    working_days: int
    deadline: date | None
    published: bool
    published_at: UtcTime | None
    case_ids: list[int] = []
    # sha256 of the HTML/PDF frozen at publication ("" until published, or no PDF without the CJK font)
    html_sha256: str = ""
    pdf_sha256: str = ""

    @computed_field(description=DEADLINE_AT_DOC)  # type: ignore[prop-decorator]
    @property
    def deadline_at(self) -> datetime | None:
        return deadline_end(self.deadline)
