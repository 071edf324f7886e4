from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from apprights.service.inputs import InModel
from apprights.service.timeutil import UtcTime


class Contact(InModel):
    name: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=200)


class Attachment(InModel):
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(default="application/octet-stream", max_length=100)
    content_base64: str = Field(max_length=8 * 1024 * 1024)


class ComplaintIn(InModel):
    contact: Contact
    app_name: str = Field(default="", max_length=200)
    package: str = Field(default="", max_length=255)
    store_name: str = Field(default="", max_length=200)
    problem_type: int = Field(ge=1, le=10)
    description: str = Field(min_length=1, max_length=20000)
    attachments: list[Attachment] = Field(default_factory=list, max_length=5)

    @model_validator(mode="after")
    def _identifies_app(self) -> ComplaintIn:
        if not self.app_name.strip() and not self.package.strip():
            raise ValueError("须填写应用名称或包名 / give the app's name or package")
        return self


class ComplaintReceipt(BaseModel):
    id: int
    received_at: UtcTime
    detection_task_id: int | None


class ComplaintOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    received_at: UtcTime
    app_name: str
    package: str
    store_name: str
    app_id: int | None
    group_key: str
    problem_type: int
    description: str
    contact: Contact | None = None  # only for roles that handle complainants


class ComplaintGroup(BaseModel):
    group_key: str
    app_id: int | None
    app_name: str
    complaints: int
    last_30_days: int


class DetectionTaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    group_key: str
    app_id: int | None
    reason: str
    complaint_count: int
    status: str
    created_at: UtcTime
