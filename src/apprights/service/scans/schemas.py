from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from apprights.service.inputs import InModel
from apprights.service.timeutil import UtcTime


class IngestError(BaseModel):
    where: str
    message: str


class LineOutcome(BaseModel):
    where: str
    line: int  # line of the JSON-Lines batch (0: the payload was one report)
    outcome: str  # accepted|duplicate|rejected
    scan_run_id: int | None = None
    message: str = ""


class IngestOut(BaseModel):
    received: int
    stored: int
    duplicates: int
    findings: int
    scan_run_ids: list[int]
    errors: list[IngestError]
    submission_id: int | None = None  # the raw payload, kept whatever its outcome
    outcome: str = ""  # accepted|partial|rejected|duplicate
    lines: list[LineOutcome] = []


class ScanRunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    app_id: int
    app_version_id: int
    store_id: int | None
    agency_id: int | None
    tool_name: str
    tool_version: str
    finding_count: int
    received_at: UtcTime
    self_check: bool = False
    submission_id: int | None = None
    submission_line: int = 0
    campaign_id: int | None = None


class FindingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    scan_run_id: int
    app_id: int
    app_version_id: int
    fingerprint: str
    rule: str
    problem_type: int
    severity: str
    confidence: str
    subject_kind: str
    subject_key: str
    subject_name: str
    title_zh: str
    title_en: str
    evidence: str
    status: str
    review_reason: str
    case_id: int | None


class Decision(StrEnum):
    CONFIRM = "confirm"
    DISMISS = "dismiss"


class ReviewIn(InModel):
    decision: Decision
    reason: str = Field(default="", max_length=1000)


class ReviewOut(BaseModel):
    finding: FindingOut
    case_id: int | None


class SelfCheckOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    enterprise_id: int
    app_id: int
    submitted_at: UtcTime
    apk_sha256: str
    apk_size: int
    status: str  # queued|running|done|failed|rejected
    error: str
    scan_run_id: int | None
    finished_at: UtcTime | None


class SelfCheckDetail(SelfCheckOut):
    findings: list[FindingOut] = []
