from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, computed_field

from apprights.service.cases.lifecycle import State
from apprights.service.inputs import InModel
from apprights.service.leads.schemas import FileOut
from apprights.service.timeutil import DEADLINE_AT_DOC, UtcTime, deadline_end


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    app_id: int
    app_version_id: int
    store_id: int | None
    province_code: str | None
    problem_type: int
    state: str
    closed_as: str
    repeat: bool
    repeat_of_case_id: int | None
    deadline: date | None
    working_days: int
    opened_at: UtcTime
    updated_at: UtcTime

    @computed_field(description=DEADLINE_AT_DOC)  # type: ignore[prop-decorator]
    @property
    def deadline_at(self) -> datetime | None:
        return deadline_end(self.deadline)


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: UtcTime
    actor: str
    action: str
    from_state: str
    to_state: str
    reason: str
    evidence: str


class ResponseOut(BaseModel):
    """An enterprise's answer, in full; ``late`` when it came after the deadline (it does not stop the clock)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    submitted_by: int | None
    submitted_at: UtcTime
    text: str
    scan_run_id: int | None
    late: bool
    version_name: str = ""
    version_code: int | None = None
    files: list[FileOut] = Field(default_factory=list)


class CaseDetail(CaseOut):
    audit: list[AuditOut]
    finding_ids: list[int]
    notice_ids: list[int]
    allowed: list[str]
    responses: list[ResponseOut] = Field(default_factory=list)


class TransitionIn(InModel):
    to: State
    reason: str = Field(default="", max_length=2000)
    evidence: list[Annotated[str, Field(max_length=500)]] = Field(default_factory=list, max_length=50)


class ResponseIn(InModel):
    text: str = Field(min_length=1, max_length=20000)
    scan_run_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    # the rebuilt version the answer is about; evidence files follow with POST …/responses/{id}/files
    version_name: str = Field(default="", max_length=100)
    version_code: int | None = Field(default=None, ge=0, le=2**63 - 1)


class RetestIn(InModel):
    scan_run_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class EscalateIn(InModel):
    reason: str = Field(default="", max_length=2000)


class OverdueOut(BaseModel):
    moved: list[tuple[int, str, str]]


class CalendarYearIn(InModel):
    holidays: list[date] = Field(max_length=366)
    workdays: list[date] = Field(default_factory=list, max_length=366)
    source: str = Field(default="", max_length=500)


class CalendarYearOut(BaseModel):
    year: int
    holidays: list[date]
    workdays: list[date]
    source: str
