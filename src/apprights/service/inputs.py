"""Base for request bodies: NUL characters are dropped from every string (PostgreSQL text cannot hold them and
they carry no meaning in names, descriptions or reasons)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, model_validator


def _strip_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_strip_nul(v) for v in value]
    if isinstance(value, dict):
        return {k: _strip_nul(v) for k, v in value.items()}
    return value


class InModel(BaseModel):
    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        return _strip_nul(data)
