from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, model_validator

from apprights.service.inputs import InModel
from apprights.service.timeutil import UtcTime


class CampaignIn(InModel):
    name: str = Field(min_length=1, max_length=200)
    year: int = Field(ge=2019, le=2100)
    starts_on: date
    ends_on: date | None = None
    description: str = Field(default="", max_length=5000)

    @model_validator(mode="after")
    def _dates_in_order(self) -> CampaignIn:
        if self.ends_on is not None and self.ends_on < self.starts_on:
            raise ValueError("结束日期早于开始日期 / ends_on is before starts_on")
        return self


class CampaignOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    year: int
    starts_on: date
    ends_on: date | None
    description: str
    created_by: int | None
    created_at: UtcTime


class CampaignStats(CampaignOut):
    """The campaign and what came of it, in the caller's scope: apps scanned, findings, cases they opened."""

    apps: int = 0
    findings: int = 0
    cases: int = 0
