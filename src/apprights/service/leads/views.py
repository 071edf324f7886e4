"""/api/v1/leads: provinces' monthly violation leads and their evidence files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response, UploadFile
from sqlalchemy import func, select

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
    writes,
)
from apprights.service.files import store_file, untrusted_download
from apprights.service.leads import service
from apprights.service.leads.models import Lead, StoredFile
from apprights.service.leads.schemas import FileOut, LeadIn, LeadOut, PeriodSummary
from apprights.service.submissions import service as submissions

router = APIRouter(tags=["leads"])
PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"


def _out(session: SessionDep, lead: Lead) -> LeadOut:
    files = session.scalars(
        select(StoredFile)
        .where(StoredFile.owner_kind == "lead", StoredFile.owner_id == lead.id)
        .order_by(StoredFile.id)
    )
    return LeadOut.model_validate(lead).model_copy(
        update={"files": [FileOut.model_validate(f) for f in files]}
    )


@router.post("/leads", response_model=LeadOut, status_code=201)
def submit(
    body: LeadIn,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    p: Annotated[Principal, Depends(allow(Role.PROVINCE))],
) -> LeadOut:
    """A province submits one violation lead for the month (late after 00:00 on the 15th)."""
    assert p.province_code is not None
    lead = service.submit_lead(
        session, p.province_code, body, user_id=p.user_id, now=now, cutoff_day=settings.lead_cutoff_day
    )
    session.commit()
    return _out(session, lead)


@router.post("/leads/{lead_id}/files", response_model=FileOut, status_code=201)
def upload_file(
    lead_id: IdPath,
    file: UploadFile,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    p: Annotated[Principal, Depends(allow(Role.PROVINCE))],
) -> StoredFile:
    """Attach an evidence file (screenshot, recording …); stored on disk by sha256."""
    lead = session.get(Lead, lead_id)
    if lead is None or lead.province_code != p.province_code:
        raise HTTPException(404, "线索不存在 / no such lead")
    content = file.file.read(settings.max_upload_bytes + 1)  # a plain def route: this thread may block
    sub = submissions.receive_from(
        session,
        settings.data_dir,
        p,
        kind="lead_file",
        content=content,
        now=now,
        filename=file.filename or "file",
        content_type=file.content_type or "",
        max_bytes=settings.max_upload_bytes,
    )
    session.commit()  # kept before anything else is decided
    if sub.outcome == "rejected":
        raise HTTPException(413, f"文件过大 / larger than {settings.max_upload_bytes} bytes")
    submissions.finish(sub, received=1, accepted=1)
    row = store_file(
        session,
        settings.data_dir,
        owner_kind="lead",
        owner_id=lead.id,
        filename=file.filename or "file",
        content=content,
        content_type=file.content_type or "",
        now=now,
        max_bytes=settings.max_upload_bytes,
    )
    session.commit()
    return row


@router.get(
    "/leads/{lead_id}/files/{file_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the evidence file"}},
)
def download_file(
    lead_id: IdPath,
    file_id: IdPath,
    session: SessionDep,
    settings: SettingsDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY, Role.PROVINCE))],
) -> Response:
    """An evidence file of a lead, under its original name (``截图.png``: RFC 5987 ``filename*``)."""
    lead = session.get(Lead, lead_id)
    row = session.get(StoredFile, file_id)
    if (
        lead is None
        or (p.role is Role.PROVINCE and lead.province_code != p.province_code)
        or row is None
        or row.owner_kind != "lead"
        or row.owner_id != lead.id
    ):
        raise HTTPException(404, "文件不存在 / no such file")
    return untrusted_download(settings.data_dir, row)


@router.get("/leads", response_model=Page[LeadOut])
def list_leads(
    session: SessionDep,
    page: PageDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY, Role.PROVINCE))],
    period: Annotated[str | None, Query(pattern=PERIOD)] = None,
) -> Page[LeadOut]:
    where = []
    if p.role is Role.PROVINCE:
        where.append(Lead.province_code == p.province_code)
    if period:
        where.append(Lead.period == period)
    total = session.scalar(select(func.count()).select_from(Lead).where(*where)) or 0
    rows = session.scalars(select(Lead).where(*where).order_by(Lead.id).limit(page.limit).offset(page.offset))
    return Page(items=[_out(session, x) for x in rows], total=total, limit=page.limit, offset=page.offset)


@router.get("/leads/periods/{period}", response_model=PeriodSummary)
@writes  # re-matches the leads against cases opened since (service.refresh_duplicates)
def period_summary(
    period: Annotated[str, Path(pattern=PERIOD)],
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    _p: Annotated[Principal, Depends(allow(Role.MINISTRY))],
) -> PeriodSummary:
    """Per month: who submitted on time, who is late or missing, how many leads duplicate existing cases."""
    summary = service.period_summary(session, period, now, settings.lead_cutoff_day)
    session.commit()
    return summary
