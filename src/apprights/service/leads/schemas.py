from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from apprights.service.inputs import InModel
from apprights.service.timeutil import BeijingTime, UtcTime


class LeadIn(InModel):
    period: str | None = Field(
        default=None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="default: this month"
    )
    app_name: str = Field(min_length=1, max_length=200)
    package: str = Field(default="", max_length=255)
    store_name: str = Field(default="", max_length=200)
    problem_type: int = Field(ge=1, le=10)
    description: str = Field(min_length=1, max_length=20000)


class FileOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    sha256: str
    size: int
    filename: str
    content_type: str


class LeadOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    province_code: str
    period: str
    app_name: str
    package: str
    store_name: str
    problem_type: int
    description: str
    submitted_at: UtcTime
    late: bool
    app_id: int | None
    duplicate_case_id: int | None
    files: list[FileOut] = []


class ProvinceMonth(BaseModel):
    province_code: str
    name_zh: str
    leads: int
    on_time: int
    late: int
    status: str  # submitted|late|missing|pending


class PeriodSummary(BaseModel):
    period: str
    cutoff: BeijingTime
    closed: bool
    provinces: list[ProvinceMonth]
    submitted: list[str]
    late: list[str]
    missing: list[str]
    duplicates_of_cases: int
    distinct_reports: int  # leads after merging the same app and problem type reported by several provinces
