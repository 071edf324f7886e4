"""/api/v1/stores: distribution platforms."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import func, select, true

from apprights.errors import InputError
from apprights.service.deps import IdPath, Page, PageDep, Principal, Role, SessionDep, allow
from apprights.service.orgs.models import Enterprise
from apprights.service.stores.models import Store
from apprights.service.stores.schemas import StoreIn, StoreOut

router = APIRouter(tags=["stores"])


@router.post("/stores", response_model=StoreOut, status_code=201)
def create_store(
    body: StoreIn, session: SessionDep, _p: Annotated[Principal, Depends(allow(Role.MINISTRY))]
) -> Store:
    if session.scalar(select(Store.id).where(Store.code == body.code)) is not None:
        raise InputError("store", f"应用商店代码已存在 / store {body.code!r} exists")
    if body.enterprise_id is not None and session.get(Enterprise, body.enterprise_id) is None:
        raise InputError("store", f"unknown enterprise {body.enterprise_id}")
    store = Store(code=body.code, name=body.name, enterprise_id=body.enterprise_id)
    session.add(store)
    session.commit()
    return store


@router.get("/stores", response_model=Page[StoreOut])
def list_stores(
    session: SessionDep,
    page: PageDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY, Role.PROVINCE, Role.AGENCY, Role.STORE))],
) -> Page[StoreOut]:
    where = Store.id == p.store_id if p.role is Role.STORE else true()
    total = session.scalar(select(func.count()).select_from(Store).where(where)) or 0
    rows = session.scalars(
        select(Store).where(where).order_by(Store.id).limit(page.limit).offset(page.offset)
    )
    return Page(
        items=[StoreOut.model_validate(s) for s in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/stores/{store_id}", response_model=StoreOut)
def get_store(
    store_id: IdPath,
    session: SessionDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY, Role.PROVINCE, Role.AGENCY, Role.STORE))],
) -> Store:
    store = session.get(Store, store_id)
    if store is None or (p.role is Role.STORE and p.store_id != store_id):
        raise HTTPException(404, "应用商店不存在 / no such store")
    return store
