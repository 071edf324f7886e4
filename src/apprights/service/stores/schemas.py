from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from apprights.service.inputs import InModel
from apprights.service.timeutil import UtcTime


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
    confirmed_at: UtcTime
    note: str


class ListingIngestError(BaseModel):
    where: str
    message: str


class ListingIngestOut(BaseModel):
    upload_id: int
    sha256: str
    duplicate: bool
    received: int
    stored: int
    errors: list[ListingIngestError]
    finding_ids: list[int]
    case_ids: list[int]
    repeat_case_ids: list[int]
    rule_finding_ids: list[int] = []  # findings of the engine's listing rules (problem types 9/10), pending
    submission_id: int | None = None  # the raw upload as received (GET /submissions/{id}/raw)


class ListingSnapshotOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    upload_id: int
    store_id: int
    app_id: int | None
    package: str
    app_name: str
    developer_name: str
    version_name: str
    url: str
    listed: bool
    captured_at: UtcTime


class OpenOrderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    notice_id: int
    notice_no: str
    ordered_at: UtcTime
    age_hours: float
    apps: list[str]


class RelistingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    notice_no: str
    snapshot_id: int
    app_name: str
    package: str
    match: str
    captured_at: UtcTime


class StoreFiguresOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    store_id: int
    code: str
    name: str
    findings: int
    platform_findings: int
    notified_apps: int
    problems: int
    share_percent: float
    open_orders: list[OpenOrderOut]
    median_hours_to_confirmation: float | None
    median_hours_to_disappearance: float | None
    relistings: list[RelistingOut]


class StoreStatsOut(BaseModel):
    since: UtcTime
    until: UtcTime
    total_problems: int
    stores: list[StoreFiguresOut]


class RemovalOrderRow(BaseModel):
    notice_id: int
    notice_no: str
    title: str
    store_id: int
    ordered_at: UtcTime
    published: bool
    apps: list[str]
    confirmed_at: UtcTime | None
    age_hours: float
