"""Registering enterprises and agencies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from apprights.errors import InputError
from apprights.service import audit
from apprights.service.apps.models import App
from apprights.service.apps.ownership import move_cases
from apprights.service.cases.flows import Actor
from apprights.service.db import utc_naive
from apprights.service.orgs.models import Enterprise, Province, TestAgency
from apprights.service.orgs.schemas import AgencyIn, EnterpriseIn


def create_enterprise(session: Session, data: EnterpriseIn, now: datetime) -> Enterprise:
    if session.get(Province, data.province_code) is None:
        raise InputError("enterprise", f"未知省份代码 / unknown province code {data.province_code!r}")
    if session.scalar(select(Enterprise.id).where(Enterprise.uscc == data.uscc)) is not None:
        raise InputError("enterprise", f"统一社会信用代码已登记 / {data.uscc} is already registered")
    ent = Enterprise(**data.model_dump(), created_at=utc_naive(now))
    session.add(ent)
    session.flush()
    return ent


def create_agency(session: Session, data: AgencyIn) -> TestAgency:
    if session.scalar(select(TestAgency.id).where(TestAgency.code == data.code)) is not None:
        raise InputError("agency", f"机构代码已存在 / agency {data.code!r} exists")
    agency = TestAgency(code=data.code, name=data.name)
    session.add(agency)
    session.flush()
    return agency


def rename_enterprise(
    session: Session, ent: Enterprise, name: str, *, reason: str, actor: Actor, now: datetime
) -> None:
    if name == ent.name:
        return
    audit.record_by(
        session,
        actor,
        now=now,
        entity="enterprise",
        entity_id=ent.id,
        action="rename",
        from_state=ent.name[:32],
        to_state=name[:32],
        reason=f"{ent.name} → {name}" + (f"（{reason}）" if reason else ""),
    )
    ent.name = name
    session.flush()


def move_enterprise(
    session: Session, ent: Enterprise, province: str, *, reason: str, actor: Actor, now: datetime
) -> None:
    """Move ``ent`` to ``province`` (audited); the cases of its apps move with it (each audited)."""
    if session.get(Province, province) is None:
        raise InputError("enterprise", f"未知省份代码 / unknown province code {province!r}")
    audit.record_by(
        session,
        actor,
        now=now,
        entity="enterprise",
        entity_id=ent.id,
        action="move_province",
        from_state=ent.province_code,
        to_state=province,
        reason=reason,
    )
    ent.province_code = province
    app_ids = list(session.scalars(select(App.id).where(App.enterprise_id == ent.id)))
    move_cases(session, app_ids, province, actor=actor, now=now)
