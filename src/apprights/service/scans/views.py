"""/api/v1/scans (ingestion) and /api/v1/findings (review)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlalchemy import ColumnElement, func, select

from apprights.service.apps.models import App
from apprights.service.cases import flows
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
from apprights.service.scans.ingest import ingest_payload
from apprights.service.scans.models import Finding, ScanRun
from apprights.service.scans.schemas import (
    FindingOut,
    IngestError,
    IngestOut,
    ReviewIn,
    ReviewOut,
    ScanRunOut,
)
from apprights.service.scope import app_filter
from apprights.service.stores.models import Store

router = APIRouter(tags=["scans"])
REVIEWERS = (Role.MINISTRY, Role.PROVINCE)

_REPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"type": "object", "description": "one apprights-report/1"}},
            "application/x-ndjson": {
                "schema": {"type": "string", "description": "JSON Lines, one report a line"}
            },
        },
    }
}


async def _read_capped(request: Request, cap: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise HTTPException(413, f"报告过大 / payload larger than {cap} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("/scans", response_model=IngestOut, openapi_extra=_REPORT_BODY)
async def ingest(
    request: Request,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    p: Annotated[Principal, Depends(allow(Role.AGENCY, Role.MINISTRY, Role.ENTERPRISE))],
    store: Annotated[
        str | None, Query(max_length=64, description="store code the app was taken from")
    ] = None,
) -> IngestOut:
    """Ingest one scan report (JSON) or a JSON-Lines batch. Idempotent: a report already stored is skipped.
    An enterprise may submit reports of its own apps only (e.g. the rectified version)."""
    data = await _read_capped(request, settings.max_report_bytes)
    store_id = None
    if store:
        store_id = session.scalar(select(Store.id).where(Store.code == store))
        if store_id is None:
            raise HTTPException(422, f"未知应用商店 / unknown store {store!r}")
    allowed = None
    if p.role is Role.ENTERPRISE:
        allowed = set(session.scalars(select(App.package).where(App.enterprise_id == p.enterprise_id)))
    res = ingest_payload(
        session,
        data,
        "request",
        now=now,
        agency_id=p.agency_id,
        user_id=p.user_id,
        store_id=store_id,
        allowed_packages=allowed,
    )
    if res.errors and not res.stored and not res.duplicates:
        session.rollback()
        raise HTTPException(422, [{"where": w, "message": m} for w, m in res.errors[:100]])
    session.commit()
    return IngestOut(
        received=res.received,
        stored=res.stored,
        duplicates=res.duplicates,
        findings=res.findings,
        scan_run_ids=res.scan_run_ids,
        errors=[IngestError(where=w, message=m) for w, m in res.errors[:1000]],
    )


@router.get("/scans", response_model=Page[ScanRunOut])
def list_scans(
    session: SessionDep,
    page: PageDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY, Role.AGENCY))],
    app_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Page[ScanRunOut]:
    where = []
    if p.role is Role.AGENCY:
        where.append(ScanRun.agency_id == p.agency_id)
    if app_id is not None:
        where.append(ScanRun.app_id == app_id)
    total = session.scalar(select(func.count()).select_from(ScanRun).where(*where)) or 0
    rows = session.scalars(
        select(ScanRun).where(*where).order_by(ScanRun.id).limit(page.limit).offset(page.offset)
    )
    return Page(
        items=[ScanRunOut.model_validate(r) for r in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/findings", response_model=Page[FindingOut])
def list_findings(
    session: SessionDep,
    page: PageDep,
    p: Annotated[Principal, Depends(allow(*REVIEWERS, Role.ENTERPRISE))],
    status: Annotated[str | None, Query(pattern="^(pending|confirmed|dismissed)$")] = None,
    app_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    case_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Page[FindingOut]:
    where: list[ColumnElement[bool]] = [Finding.app_id.in_(select(App.id).where(app_filter(p)))]
    if status:
        where.append(Finding.status == status)
    if app_id is not None:
        where.append(Finding.app_id == app_id)
    if case_id is not None:
        where.append(Finding.case_id == case_id)
    total = session.scalar(select(func.count()).select_from(Finding).where(*where)) or 0
    rows = session.scalars(
        select(Finding).where(*where).order_by(Finding.id).limit(page.limit).offset(page.offset)
    )
    return Page(
        items=[FindingOut.model_validate(f) for f in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.post("/findings/{finding_id}/review", response_model=ReviewOut)
def review(
    finding_id: IdPath,
    body: ReviewIn,
    session: SessionDep,
    now: NowDep,
    p: Annotated[Principal, Depends(allow(*REVIEWERS))],
) -> ReviewOut:
    """Confirm (opens or joins the case for this app and problem type) or dismiss (reason required)."""
    finding = session.scalar(
        select(Finding).where(
            Finding.id == finding_id, Finding.app_id.in_(select(App.id).where(app_filter(p)))
        )
    )
    if finding is None:
        raise HTTPException(404, "问题不存在 / no such finding")
    case = flows.review_finding(
        session,
        finding,
        confirm=body.decision == "confirm",
        reason=body.reason,
        actor=flows.Actor(p.actor, p.user_id),
        now=now,
    )
    session.commit()
    return ReviewOut(finding=FindingOut.model_validate(finding), case_id=case.id if case else None)
