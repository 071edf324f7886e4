from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, computed_field

from apprights.service.inputs import InModel
from apprights.service.timeutil import DEADLINE_AT_DOC, UtcTime, deadline_end

PACKAGE_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$"


class AppIn(InModel):
    package: str = Field(min_length=3, max_length=255, pattern=PACKAGE_PATTERN)
    name: str = Field(default="", max_length=200)
    enterprise_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class AppUpdateIn(InModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    enterprise_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    reason: str = Field(default="", max_length=2000)


class AppOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    package: str
    name: str
    enterprise_id: int | None
    developer: str
    ownership: str = ""


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    version_name: str
    version_code: int
    apk_sha256: str
    signer_sha256: str
    first_seen: UtcTime


class ListingIn(InModel):
    store_id: int = Field(ge=1, le=2**31 - 1)
    url: str = Field(default="", max_length=1000)
    version_name: str = Field(default="", max_length=100)


class ListingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    app_id: int
    store_id: int
    url: str
    version_name: str


class CaseBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    problem_type: int
    state: str
    repeat: bool
    app_version_id: int
    store_id: int | None
    deadline: date | None
    opened_at: UtcTime

    @computed_field(description=DEADLINE_AT_DOC)  # type: ignore[prop-decorator]
    @property
    def deadline_at(self) -> datetime | None:
        return deadline_end(self.deadline)


class AppDetail(AppOut):
    versions: list[VersionOut]
    listings: list[ListingOut]
    cases: list[CaseBrief]
