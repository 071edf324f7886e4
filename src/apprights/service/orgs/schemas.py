from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from apprights.service.inputs import InModel
from apprights.service.orgs.uscc import uscc_problem
from apprights.service.timeutil import UtcTime


class ProvinceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name_zh: str
    name_en: str
    administration_zh: str


class EnterpriseIn(InModel):
    name: str = Field(min_length=1, max_length=200)
    uscc: str = Field(min_length=18, max_length=18, description="统一社会信用代码 (GB 32100-2015)")
    province_code: str = Field(min_length=2, max_length=2)
    contact_name: str = Field(default="", max_length=100)
    contact_phone: str = Field(default="", max_length=40)
    contact_email: str = Field(default="", max_length=200)

    @field_validator("uscc")
    @classmethod
    def _check_uscc(cls, v: str) -> str:
        v = v.strip().upper()
        problem = uscc_problem(v)
        if problem:
            raise ValueError(problem)
        return v


class EnterpriseUpdateIn(InModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    province_code: str | None = Field(default=None, min_length=2, max_length=2)
    reason: str = Field(default="", max_length=2000)


class EnterpriseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    uscc: str
    province_code: str
    contact_name: str
    contact_phone: str
    contact_email: str
    created_at: UtcTime


class AgencyIn(InModel):
    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(min_length=1, max_length=200)


class AgencyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str


class SdkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    key: str
    name: str
    category: str
    vendor_id: int | None
