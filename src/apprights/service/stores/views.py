"""/api/v1/stores: distribution platforms."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlalchemy import func, select, true

from apprights.errors import InputError
from apprights.extractors.listing import MAX_BYTES
from apprights.service.cases.flows import Actor
from apprights.service.cases.models import Case
from apprights.service.cases.schemas import CaseOut
from apprights.service.deps import (
    IdPath,
    KnowledgeDep,
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
from apprights.service.scans.models import Finding
from apprights.service.scans.schemas import FindingOut
from apprights.service.scans.selfcheck import manifest_lookup
from apprights.service.settings import Settings
from apprights.service.stores import platform, supervision
from apprights.service.stores.models import ListingSnapshot, Store
from apprights.service.stores.schemas import (
    ListingIngestError,
    ListingIngestOut,
    ListingSnapshotOut,
    RemovalOrderRow,
    StoreFiguresOut,
    StoreIn,
    StoreOut,
    StoreStatsOut,
)
from apprights.service.submissions import service as submissions
from apprights.service.submissions.models import Submission
from apprights.service.timeutil import beijing_date, beijing_midnight_utc
from apprights.service.uploads import SpooledBody, StreamedBody

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


_LISTING_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object", "description": "one apprights-listing/1, or an array of them"}
            },
            "application/x-ndjson": {"schema": {"type": "string", "description": "JSON Lines"}},
        },
    }
}


def _listing_cap(settings: Settings) -> int:
    return min(settings.max_report_bytes, MAX_BYTES)


@router.post("/listings", response_model=ListingIngestOut, openapi_extra=_LISTING_BODY)
def ingest_listings(
    request: Request,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    knowledge: KnowledgeDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY, Role.AGENCY, Role.STORE))],
    body: Annotated[SpooledBody, Depends(StreamedBody(_listing_cap))],
) -> ListingIngestOut:
    """Store listings (``apprights-listing/1``: an object, an array or JSON Lines). The raw payload is kept on
    disk by sha256 (the same payload twice is stored once). Listings captured more than the grace period
    (24 h) after a removal order that still show the app (or a clone) listed become platform findings
    (``T10.removed_app_still_listed``) and a case against the store; an app rectified or removed elsewhere
    that shows up on another store opens a repeat case escalated directly. The engine's listing rules
    (problem types 9 and 10: missing or hidden information, permissions, developer identity, filing number)
    run on every listing; their findings (``rule_finding_ids``) wait for review like a scan's. A store submits
    its own listings."""
    if p.role is Role.STORE and p.store_id is None:
        raise HTTPException(403, "账号未绑定应用商店 / this store account has no store")
    cap = _listing_cap(settings)
    too_big = body.too_big
    data = b"" if too_big else body.read_bytes()
    sub = submissions.receive_from(
        session,
        settings.data_dir,
        p,
        kind="listing",
        spooled=body,
        now=now,
        filename="listings.json",
        content_type=request.headers.get("content-type", ""),
        max_bytes=cap,
    )
    sub_id = sub.id
    session.commit()  # recorded (and the bytes kept) before anything parses them
    if too_big:
        raise HTTPException(413, f"上架信息过大 / payload larger than {cap} bytes")
    res = supervision.ingest_listings(
        session,
        settings.data_dir,
        data,
        user_id=p.user_id,
        now=now,
        grace_hours=settings.listing_grace_hours,
        only_store_id=p.store_id if p.role is Role.STORE else None,
        actor=Actor(p.actor, p.user_id),
        knowledge=knowledge,
        manifests=manifest_lookup(session, settings.data_dir),
    )
    row = session.get(Submission, sub_id)
    assert row is not None
    if res.rejected:
        submissions.finish(
            row, received=0, accepted=0, errors=[("listings", res.rejected)], outcome="rejected"
        )
    elif res.duplicate:
        submissions.finish(row, received=res.received, accepted=0, outcome="duplicate")
    else:
        submissions.finish(row, received=res.received, accepted=res.stored, errors=res.errors)
    session.commit()  # a rejected payload stays on disk and in listing_uploads
    hdr = {"X-Apprights-Submission": str(sub_id)}
    if res.rejected:
        raise HTTPException(422, f"listings: {res.rejected}", hdr)
    if res.errors and not res.stored:
        raise HTTPException(422, [{"where": w, "message": m} for w, m in res.errors[:100]], hdr)
    return ListingIngestOut(
        upload_id=res.upload_id,
        sha256=res.sha256,
        duplicate=res.duplicate,
        received=res.received,
        stored=res.stored,
        errors=[ListingIngestError(where=w, message=m) for w, m in res.errors[:1000]],
        finding_ids=res.finding_ids,
        case_ids=res.case_ids,
        repeat_case_ids=res.repeat_case_ids,
        rule_finding_ids=res.rule_finding_ids,
        submission_id=sub_id,
    )


@router.get("/listings", response_model=Page[ListingSnapshotOut])
def list_listings(
    session: SessionDep,
    page: PageDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY, Role.AGENCY, Role.STORE))],
    store_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    app_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Page[ListingSnapshotOut]:
    """Listing snapshots, newest capture first (a store sees its own)."""
    where = []
    if p.role is Role.STORE:
        where.append(ListingSnapshot.store_id == p.store_id)
    if store_id is not None:
        where.append(ListingSnapshot.store_id == store_id)
    if app_id is not None:
        where.append(ListingSnapshot.app_id == app_id)
    total = session.scalar(select(func.count()).select_from(ListingSnapshot).where(*where)) or 0
    rows = session.scalars(
        select(ListingSnapshot)
        .where(*where)
        .order_by(ListingSnapshot.captured_at.desc(), ListingSnapshot.id.desc())
        .limit(page.limit)
        .offset(page.offset)
    )
    return Page(
        items=[ListingSnapshotOut.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


def window(now_date: date, since: date | None, until: date | None) -> tuple[date, date]:
    """The reporting window in Beijing dates, ``until`` inclusive; default: the last 90 days."""
    end = until or now_date
    start = since or end - timedelta(days=89)
    if start > end:
        raise InputError("window", "起始日期晚于结束日期 / since is after until")
    return start, end


@router.get("/store-stats", response_model=StoreStatsOut)
def store_stats(
    session: SessionDep,
    now: NowDep,
    _p: Annotated[Principal, Depends(allow(Role.MINISTRY, Role.PROVINCE))],
    since: Annotated[
        date | None, Query(description="first day (Beijing), default: 89 days before until")
    ] = None,
    until: Annotated[date | None, Query(description="last day (Beijing), inclusive; default: today")] = None,
) -> StoreStatsOut:
    """Per-store supervision figures for a reporting window (problem type 10)."""
    start, end = window(beijing_date(now), since, until)
    lo = beijing_midnight_utc(start)
    hi = beijing_midnight_utc(end + timedelta(days=1))
    figs = supervision.store_statistics(session, since=lo, until=hi, now=now)
    return StoreStatsOut(
        since=lo,
        until=hi,
        total_problems=sum(f.problems for f in figs),
        stores=[StoreFiguresOut.model_validate(f) for f in figs],
    )


@router.get("/platform-findings", response_model=Page[FindingOut])
def list_platform_findings(
    session: SessionDep,
    page: PageDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY, Role.STORE))],
    store_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    status: Annotated[str | None, Query(pattern="^(pending|confirmed|dismissed)$")] = None,
) -> Page[FindingOut]:
    """Findings against a distribution platform (subject ``platform``), e.g. from the listing rules and the
    removal checks. A store sees its own platform; the ministry every store (provinces: none, see
    ``stores/platform.py``)."""
    where = [platform.platform_finding_clause(platform.visible_store_ids(p, store_id))]
    if status:
        where.append(Finding.status == status)
    total = session.scalar(select(func.count()).select_from(Finding).where(*where)) or 0
    rows = session.scalars(
        select(Finding).where(*where).order_by(Finding.id).limit(page.limit).offset(page.offset)
    )
    return Page(
        items=[FindingOut.model_validate(f) for f in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/platform-cases", response_model=Page[CaseOut])
def list_platform_cases(
    session: SessionDep,
    page: PageDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY, Role.STORE))],
    store_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Page[CaseOut]:
    """Cases against a distribution platform (a store case with a platform finding), newest first. Platform
    cases are national: a store sees its own, the ministry all, provinces none."""
    where = platform.platform_case_clause(platform.visible_store_ids(p, store_id))
    total = session.scalar(select(func.count()).select_from(Case).where(where)) or 0
    rows = session.scalars(
        select(Case).where(where).order_by(Case.id.desc()).limit(page.limit).offset(page.offset)
    )
    return Page(
        items=[CaseOut.model_validate(c) for c in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.get("/removal-orders", response_model=Page[RemovalOrderRow])
def removal_orders(
    session: SessionDep,
    now: NowDep,
    page: PageDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY, Role.STORE))],
    store_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Page[RemovalOrderRow]:
    """Removal (下架) orders per store with the store's confirmation and the order's age (a store: its own)."""
    if p.role is Role.STORE:
        ids = [p.store_id] if p.store_id is not None else []
    elif store_id is not None:
        ids = [store_id]
    else:
        ids = list(session.scalars(select(Store.id).order_by(Store.id)))
    rows = supervision.removal_order_rows(session, ids, now=now)
    window = rows[page.offset : page.offset + page.limit]
    return Page(
        items=[RemovalOrderRow.model_validate(r, from_attributes=True) for r in window],
        total=len(rows),
        limit=page.limit,
        offset=page.offset,
    )
