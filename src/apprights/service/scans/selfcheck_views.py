"""/api/v1/self-checks: an enterprise uploads an APK of its app; the service scans it in the background."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlalchemy import ColumnElement, func, select, true

from apprights.service.apps.models import App
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
from apprights.service.scans import selfcheck
from apprights.service.scans.models import Finding, SelfCheck
from apprights.service.scans.schemas import FindingOut, SelfCheckDetail, SelfCheckOut
from apprights.service.submissions import service as submissions
from apprights.service.uploads import SpooledBody, StreamedBody

router = APIRouter(tags=["self-checks"])
VIEWERS = (Role.MINISTRY, Role.ENTERPRISE)

_APK_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


def visible(p: Principal) -> ColumnElement[bool]:
    return true() if p.role is Role.MINISTRY else SelfCheck.enterprise_id == p.enterprise_id


@router.post("/self-checks", response_model=SelfCheckOut, status_code=202, openapi_extra=_APK_BODY)
def upload_self_check(
    request: Request,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    p: Annotated[Principal, Depends(allow(Role.ENTERPRISE))],
    body: Annotated[SpooledBody, Depends(StreamedBody(lambda s: s.max_apk_bytes))],
    app_id: Annotated[
        int, Query(ge=1, le=2**31 - 1, description="the enterprise's app the APK is a build of")
    ],
) -> SelfCheck:
    """Upload an APK of one of your apps for a self-check (企业自查). It is kept by sha256, scanned in the
    background with a time limit, and its findings are shown to you only: a self-check is not an agency's
    result and never opens a regulator case. Poll ``GET /self-checks/{id}``."""
    app = session.get(App, app_id)
    if app is None or p.enterprise_id is None or app.enterprise_id != p.enterprise_id:
        raise HTTPException(404, "应用不存在 / no such app of yours")
    too_big = body.too_big
    sub = submissions.receive_from(
        session,
        settings.data_dir,
        p,
        kind="self_check_apk",
        spooled=body,
        now=now,
        filename=f"{app.package}.apk",
        content_type="application/vnd.android.package-archive",
        max_bytes=settings.max_apk_bytes,
    )
    session.commit()  # recorded before anything judges it
    if too_big:
        raise HTTPException(413, f"APK过大 / upload larger than {settings.max_apk_bytes} bytes")
    # the upload was streamed to disk and moved into the blob store: the self-check uses that file
    sc = selfcheck.submit_kept(
        session,
        settings.data_dir,
        sub.sha256,
        sub.size,
        app=app,
        enterprise_id=p.enterprise_id,
        user_id=p.user_id,
        now=now,
    )
    if sc.status == "rejected":
        submissions.finish(sub, received=1, accepted=0, errors=[("apk", sc.error)], outcome="rejected")
    else:
        submissions.finish(sub, received=1, accepted=1)  # the scan's own result: GET /self-checks/{id}
    session.commit()  # kept even when rejected
    if sc.status == "rejected":
        raise HTTPException(422, f"self-check {sc.id}: {sc.error}")
    request.app.state.self_checks.submit(sc.id)
    return sc


@router.get("/self-checks", response_model=Page[SelfCheckOut])
def list_self_checks(
    session: SessionDep,
    page: PageDep,
    p: Annotated[Principal, Depends(allow(*VIEWERS))],
    app_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Page[SelfCheckOut]:
    """Self-checks, newest first (an enterprise: its own)."""
    where = [visible(p)]
    if app_id is not None:
        where.append(SelfCheck.app_id == app_id)
    total = session.scalar(select(func.count()).select_from(SelfCheck).where(*where)) or 0
    rows = session.scalars(
        select(SelfCheck).where(*where).order_by(SelfCheck.id.desc()).limit(page.limit).offset(page.offset)
    )
    return Page(
        items=[SelfCheckOut.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/self-checks/{self_check_id}", response_model=SelfCheckDetail)
def get_self_check(
    self_check_id: IdPath, session: SessionDep, p: Annotated[Principal, Depends(allow(*VIEWERS))]
) -> SelfCheckDetail:
    sc = session.scalar(select(SelfCheck).where(SelfCheck.id == self_check_id, visible(p)))
    if sc is None:
        raise HTTPException(404, "自查不存在 / no such self-check")
    out = SelfCheckDetail.model_validate(sc)
    if sc.scan_run_id is not None:
        rows = session.scalars(
            select(Finding).where(Finding.scan_run_id == sc.scan_run_id).order_by(Finding.id)
        )
        out.findings = [FindingOut.model_validate(f) for f in rows]
    return out
