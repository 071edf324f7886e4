"""/api/v1/apps."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from sqlalchemy import func, select

from apprights.service.apps import ownership, service
from apprights.service.apps.models import App
from apprights.service.apps.schemas import (
    AppDetail,
    AppIn,
    AppOut,
    AppUpdateIn,
    CaseBrief,
    ListingIn,
    ListingOut,
    VersionOut,
)
from apprights.service.cases.flows import Actor
from apprights.service.deps import (
    IdPath,
    NowDep,
    Page,
    PageDep,
    Principal,
    Role,
    SessionDep,
    SettingsDep,
    allow,
)
from apprights.service.orgs.models import Enterprise
from apprights.service.scope import app_filter, may_see_app
from apprights.service.uploads import SpooledBody, StreamedBody

router = APIRouter(tags=["apps"])
READERS = (Role.MINISTRY, Role.PROVINCE, Role.ENTERPRISE)


def visible_app(session: SessionDep, app_id: int, p: Principal) -> App:
    app = session.get(App, app_id)
    ent = session.get(Enterprise, app.enterprise_id) if app is not None and app.enterprise_id else None
    if app is None or not may_see_app(p, app, ent):
        raise HTTPException(404, "应用不存在 / no such app")
    return app


@router.post("/apps", response_model=AppOut, status_code=201)
def register_app(
    body: AppIn, session: SessionDep, now: NowDep, p: Annotated[Principal, Depends(allow(*READERS))]
) -> App:
    if p.role is Role.ENTERPRISE and body.enterprise_id != p.enterprise_id:
        raise HTTPException(403, "只能登记本企业的应用 / an enterprise registers its own apps")
    if p.role is Role.PROVINCE:
        ent = session.get(Enterprise, body.enterprise_id) if body.enterprise_id else None
        if ent is None or ent.province_code != p.province_code:
            raise HTTPException(403, "只能登记本辖区企业的应用 / apps of the province's own enterprises only")
    app = service.register_app(session, body, now, Actor(p.actor, p.user_id))
    session.commit()
    return app


_APK_BODY = {  # the APK's bytes as the body (any content type; application/octet-stream documented)
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.post("/apps/claim", response_model=AppOut, openapi_extra=_APK_BODY)
def claim_app(
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    p: Annotated[Principal, Depends(allow(Role.ENTERPRISE))],
    body: Annotated[SpooledBody, Depends(StreamedBody(lambda s: s.max_apk_bytes))],
) -> App:
    """An enterprise proves an app first seen in a scan is its own: the body is the signed APK; its package
    must be the app's and its signing certificate one that a test agency's scan saw on the app. Audited."""
    if body.too_big:
        raise HTTPException(413, f"APK过大 / upload larger than {settings.max_apk_bytes} bytes")
    ent = session.get(Enterprise, p.enterprise_id) if p.enterprise_id is not None else None
    if ent is None:
        raise HTTPException(403, "账户未绑定企业 / the account is not bound to an enterprise")
    actor = Actor(p.actor, p.user_id)
    if body.path is None:
        raise HTTPException(422, "请求体为空 / empty body: send the APK")
    # read in place from the file the upload was streamed to (never held whole in memory)
    app = ownership.claim_with_apk(
        session, body.path, ent, actor=actor, now=now, tmp_dir=settings.data_dir / "tmp"
    )
    session.commit()
    return app


@router.patch("/apps/{app_id}", response_model=AppOut)
def update_app(
    app_id: IdPath,
    body: AppUpdateIn,
    session: SessionDep,
    now: NowDep,
    p: Annotated[Principal, Depends(allow(*READERS))],
) -> App:
    """Rename an app (who may see it), or move it to another enterprise (the ministry's decision; its cases
    follow the enterprise's province). Both are audited."""
    app = visible_app(session, app_id, p)
    actor = Actor(p.actor, p.user_id)
    if body.enterprise_id is not None and body.enterprise_id != app.enterprise_id:
        if p.role is not Role.MINISTRY:
            raise HTTPException(403, "应用归属变更由工业和信息化部决定 / only the ministry moves an app")
        ent = session.get(Enterprise, body.enterprise_id)
        if ent is None:
            raise HTTPException(422, f"unknown enterprise {body.enterprise_id}")
        ownership.bind(session, app, ent, how="decision", actor=actor, now=now, evidence=[body.reason])
    if body.name is not None:
        ownership.rename_app(session, app, body.name, actor=actor, now=now)
    session.commit()
    return app


@router.get("/apps", response_model=Page[AppOut])
def list_apps(
    session: SessionDep,
    page: PageDep,
    p: Annotated[Principal, Depends(allow(*READERS))],
    q: Annotated[str | None, Query(max_length=200, description="package or name contains")] = None,
) -> Page[AppOut]:
    where = [app_filter(p)]
    if q:
        like = f"%{q}%"
        where.append(App.package.like(like) | App.name.like(like))
    total = session.scalar(select(func.count()).select_from(App).where(*where)) or 0
    rows = session.scalars(select(App).where(*where).order_by(App.id).limit(page.limit).offset(page.offset))
    return Page(
        items=[AppOut.model_validate(a) for a in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/apps/{app_id}", response_model=AppDetail)
def get_app(
    app_id: IdPath, session: SessionDep, p: Annotated[Principal, Depends(allow(*READERS))]
) -> AppDetail:
    """The app with its history: every version, listing and case."""
    app = visible_app(session, app_id, p)
    versions, listings, cases = service.history(session, app)
    return AppDetail(
        **AppOut.model_validate(app).model_dump(),
        versions=[VersionOut.model_validate(v) for v in versions],
        listings=[ListingOut.model_validate(x) for x in listings],
        cases=[CaseBrief.model_validate(c) for c in cases],
    )


@router.post("/apps/{app_id}/listings", response_model=ListingOut, status_code=201)
def add_listing(
    app_id: IdPath,
    body: ListingIn,
    session: SessionDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY, Role.PROVINCE))],
) -> ListingOut:
    app = visible_app(session, app_id, p)
    listing = service.add_listing(session, app, body)
    session.commit()
    return ListingOut.model_validate(listing)
