from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from apprights.service.deps import Role
from apprights.service.inputs import InModel
from apprights.service.timeutil import UtcTime


class LoginIn(InModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    token: str
    expires_at: UtcTime | None = None


class UserIn(InModel):
    username: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")
    display_name: str = Field(default="", max_length=200)
    password: str | None = Field(
        default=None, min_length=1, max_length=200, description="see the password policy"
    )
    role: Role
    province_code: str | None = Field(default=None, max_length=2)
    enterprise_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    store_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    agency_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    display_name: str
    role: str
    province_code: str | None
    enterprise_id: int | None
    store_id: int | None
    agency_id: int | None
    active: bool
    must_change_password: bool = False


class TokenIn(InModel):
    name: str = Field(default="", max_length=100)
    days: int = Field(default=90, ge=1, le=366, description="the token expires after this many days")


class TokenInfo(BaseModel):
    """A token's metadata (never the token itself: it is shown once, stored hashed)."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    name: str
    created_at: UtcTime
    expires_at: UtcTime | None
    revoked: bool


class PasswordChangeIn(InModel):
    current: str = Field(min_length=1, max_length=200)
    new: str = Field(min_length=1, max_length=200, description="see the password policy")


class PasswordResetOut(BaseModel):
    """Shown once: the account must change it at the next login (every session and token was revoked)."""

    temporary_password: str
