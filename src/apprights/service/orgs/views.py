"""/api/v1/provinces, /enterprises, /agencies, /sdks."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import ColumnElement, func, select, true

from apprights.service.cases.flows import Actor
from apprights.service.deps import IdPath, NowDep, Page, PageDep, Principal, Role, SessionDep, allow
from apprights.service.orgs import service
from apprights.service.orgs.models import Enterprise, Province, Sdk, TestAgency
from apprights.service.orgs.schemas import (
    AgencyIn,
    AgencyOut,
    EnterpriseIn,
    EnterpriseOut,
    EnterpriseUpdateIn,
    ProvinceOut,
    SdkOut,
)

router = APIRouter(tags=["registry"])
STAFF = (Role.MINISTRY, Role.PROVINCE)


@router.get("/provinces", response_model=list[ProvinceOut])
def list_provinces(
    session: SessionDep, _p: Annotated[Principal, Depends(allow(Role.PUBLIC))]
) -> list[Province]:
    """The 31 provincial communication administrations (a fixed list, not paginated)."""
    return list(session.scalars(select(Province).order_by(Province.code)))


def _enterprise_filter(p: Principal) -> ColumnElement[bool]:
    if p.role is Role.PROVINCE:
        return Enterprise.province_code == p.province_code
    if p.role is Role.ENTERPRISE:
        return Enterprise.id == p.enterprise_id
    return true()


@router.post("/enterprises", response_model=EnterpriseOut, status_code=201)
def create_enterprise(
    body: EnterpriseIn, session: SessionDep, now: NowDep, p: Annotated[Principal, Depends(allow(*STAFF))]
) -> Enterprise:
    if p.role is Role.PROVINCE and body.province_code != p.province_code:
        raise HTTPException(403, "只能登记本辖区企业 / a province registers enterprises of its own region")
    ent = service.create_enterprise(session, body, now)
    session.commit()
    return ent


@router.get("/enterprises", response_model=Page[EnterpriseOut])
def list_enterprises(
    session: SessionDep,
    page: PageDep,
    p: Annotated[Principal, Depends(allow(*STAFF, Role.ENTERPRISE))],
) -> Page[EnterpriseOut]:
    where = _enterprise_filter(p)
    total = session.scalar(select(func.count()).select_from(Enterprise).where(where)) or 0
    rows = session.scalars(
        select(Enterprise).where(where).order_by(Enterprise.id).limit(page.limit).offset(page.offset)
    )
    items = [EnterpriseOut.model_validate(e) for e in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/enterprises/{enterprise_id}", response_model=EnterpriseOut)
def get_enterprise(
    enterprise_id: IdPath,
    session: SessionDep,
    p: Annotated[Principal, Depends(allow(*STAFF, Role.ENTERPRISE))],
) -> Enterprise:
    ent = session.scalar(select(Enterprise).where(Enterprise.id == enterprise_id, _enterprise_filter(p)))
    if ent is None:
        raise HTTPException(404, "企业不存在 / no such enterprise")
    return ent


@router.patch("/enterprises/{enterprise_id}", response_model=EnterpriseOut)
def update_enterprise(
    enterprise_id: IdPath,
    body: EnterpriseUpdateIn,
    session: SessionDep,
    now: NowDep,
    p: Annotated[Principal, Depends(allow(*STAFF))],
) -> Enterprise:
    """Rename an enterprise (the ministry, or the province of its region) or move it to another province (the
    ministry: its apps' cases follow). Both are audited; published notices keep the name they were published
    with."""
    ent = session.scalar(select(Enterprise).where(Enterprise.id == enterprise_id, _enterprise_filter(p)))
    if ent is None:
        raise HTTPException(404, "企业不存在 / no such enterprise")
    actor = Actor(p.actor, p.user_id)
    if body.province_code is not None and body.province_code != ent.province_code:
        if p.role is not Role.MINISTRY:
            raise HTTPException(403, "跨省迁移由工业和信息化部决定 / only the ministry moves an enterprise")
        service.move_enterprise(session, ent, body.province_code, reason=body.reason, actor=actor, now=now)
    if body.name is not None:
        service.rename_enterprise(session, ent, body.name, reason=body.reason, actor=actor, now=now)
    session.commit()
    return ent


@router.post("/agencies", response_model=AgencyOut, status_code=201)
def create_agency(
    body: AgencyIn, session: SessionDep, _p: Annotated[Principal, Depends(allow(Role.MINISTRY))]
) -> TestAgency:
    agency = service.create_agency(session, body)
    session.commit()
    return agency


@router.get("/agencies", response_model=Page[AgencyOut])
def list_agencies(
    session: SessionDep, page: PageDep, _p: Annotated[Principal, Depends(allow(Role.MINISTRY))]
) -> Page[AgencyOut]:
    total = session.scalar(select(func.count()).select_from(TestAgency)) or 0
    rows = session.scalars(select(TestAgency).order_by(TestAgency.id).limit(page.limit).offset(page.offset))
    return Page(
        items=[AgencyOut.model_validate(a) for a in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/sdks", response_model=Page[SdkOut])
def list_sdks(
    session: SessionDep, page: PageDep, _p: Annotated[Principal, Depends(allow(Role.MINISTRY, Role.AGENCY))]
) -> Page[SdkOut]:
    """SDKs seen in ingested reports."""
    total = session.scalar(select(func.count()).select_from(Sdk)) or 0
    rows = session.scalars(select(Sdk).order_by(Sdk.id).limit(page.limit).offset(page.offset))
    return Page(
        items=[SdkOut.model_validate(s) for s in rows], total=total, limit=page.limit, offset=page.offset
    )
