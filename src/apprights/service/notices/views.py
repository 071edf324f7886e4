"""/api/v1/notices: rectification notices, 通报 batches, removal orders, their documents, removal confirmations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from sqlalchemy import ColumnElement, false, func, or_, select, true

from apprights.service.apps.models import App, Listing
from apprights.service.cases.flows import Actor
from apprights.service.cases.models import Case
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
from apprights.service.documents import render_html, render_pdf, render_xlsx
from apprights.service.files import content_disposition
from apprights.service.notices import service
from apprights.service.notices.models import Notice, NoticeCase, NoticeSnapshot
from apprights.service.notices.schemas import BatchIn, DocFormat, NoticeKind, NoticeOut
from apprights.service.stores import supervision
from apprights.service.stores.models import RemovalConfirmation
from apprights.service.stores.schemas import RemovalConfirmationOut, RemovalConfirmIn

router = APIRouter(tags=["notices"])
EVERYONE = (Role.PUBLIC,)
MEDIA = {
    DocFormat.HTML: "text/html; charset=utf-8",
    DocFormat.PDF: "application/pdf",
    DocFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def notice_filter(p: Principal) -> ColumnElement[bool]:
    """Published 通报/removal orders are public; otherwise a notice is seen by whom it concerns."""
    published = Notice.published.is_(True)
    if p.role is Role.MINISTRY:
        return true()
    cases_of_notice = select(NoticeCase.notice_id).join(Case, Case.id == NoticeCase.case_id)
    if p.role is Role.PROVINCE:
        return or_(published, Notice.id.in_(cases_of_notice.where(Case.province_code == p.province_code)))
    if p.role is Role.ENTERPRISE:
        own = select(App.id).where(App.enterprise_id == p.enterprise_id)
        return or_(published, Notice.id.in_(cases_of_notice.where(Case.app_id.in_(own))))
    if p.role is Role.STORE:
        listed = select(Listing.app_id).where(Listing.store_id == p.store_id)
        mine = cases_of_notice.where(or_(Case.store_id == p.store_id, Case.app_id.in_(listed)))
        return or_(published, (Notice.kind == "removal") & Notice.id.in_(mine))
    if p.role in (Role.AGENCY, Role.PUBLIC):
        return published
    return false()


def _out(session: SessionDep, n: Notice) -> NoticeOut:
    snap = session.get(NoticeSnapshot, n.id)
    hashes = {"html_sha256": snap.html_sha256, "pdf_sha256": snap.pdf_sha256} if snap is not None else {}
    return NoticeOut.model_validate(n).model_copy(
        update={"case_ids": service.case_ids_of(session, n.id), **hashes}
    )


def visible_notice(session: SessionDep, notice_id: int, p: Principal) -> Notice:
    n = session.scalar(select(Notice).where(Notice.id == notice_id, notice_filter(p)))
    if n is None:
        raise HTTPException(404, "通知不存在 / no such notice")
    return n


@router.get("/notices", response_model=Page[NoticeOut])
def list_notices(
    session: SessionDep,
    page: PageDep,
    p: Annotated[Principal, Depends(allow(*EVERYONE))],
    kind: Annotated[NoticeKind | None, Query()] = None,
) -> Page[NoticeOut]:
    """Notices the caller may see (the public: published 通报 and removal orders)."""
    where = [notice_filter(p)]
    if kind is not None:
        where.append(Notice.kind == str(kind))
    total = session.scalar(select(func.count()).select_from(Notice).where(*where)) or 0
    rows = session.scalars(
        select(Notice).where(*where).order_by(Notice.id.desc()).limit(page.limit).offset(page.offset)
    )
    return Page(items=[_out(session, n) for n in rows], total=total, limit=page.limit, offset=page.offset)


@router.get("/notices/{notice_id}", response_model=NoticeOut)
def get_notice(
    notice_id: IdPath, session: SessionDep, p: Annotated[Principal, Depends(allow(*EVERYONE))]
) -> NoticeOut:
    return _out(session, visible_notice(session, notice_id, p))


@router.get(
    "/notices/{notice_id}/document",
    responses={200: {"content": {m: {} for m in MEDIA.values()}, "description": "the document"}},
)
def notice_document(
    notice_id: IdPath,
    session: SessionDep,
    p: Annotated[Principal, Depends(allow(*EVERYONE))],
    format: Annotated[DocFormat, Query()] = DocFormat.HTML,
) -> Response:
    """The notice in the regulator's format, as HTML, PDF or XLSX (Chinese)."""
    n = visible_notice(session, notice_id, p)
    doc = service.build_document(session, n)  # a published notice: as frozen at publication
    snap = session.get(NoticeSnapshot, n.id)
    body: bytes
    if format is DocFormat.HTML:
        body = snap.html.encode("utf-8") if snap is not None else render_html(doc).encode("utf-8")
    elif format is DocFormat.PDF:
        body = snap.pdf if snap is not None and snap.pdf is not None else render_pdf(doc)
    else:
        body = render_xlsx(doc)
    disposition = content_disposition(
        f"{n.notice_no or f'notice-{n.id}'}.{format}", fallback=f"notice-{n.id}.{format}"
    )
    return Response(body, media_type=MEDIA[format], headers={"Content-Disposition": disposition})


@router.post("/notices/public", response_model=NoticeOut, status_code=201)
def create_public_batch(
    body: BatchIn,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY))],
) -> NoticeOut:
    """A 通报 batch of not-rectified cases (draft until published)."""
    n = service.create_public_batch(
        session,
        body.case_ids,
        title=body.title,
        batch_no=body.batch_no,
        intro=body.intro,
        issued_on=body.issued_on,
        working_days=body.working_days or settings.default_working_days,
        issuer=body.issuer,
        actor=Actor(p.actor, p.user_id),
        now=now,
    )
    session.commit()
    return _out(session, n)


@router.post("/notices/removal", response_model=NoticeOut, status_code=201)
def create_removal_order(
    body: BatchIn, session: SessionDep, now: NowDep, p: Annotated[Principal, Depends(allow(Role.MINISTRY))]
) -> NoticeOut:
    """A removal (下架) order to the stores for cases already in a 通报."""
    n = service.create_removal_order(
        session,
        body.case_ids,
        title=body.title,
        issued_on=body.issued_on,
        issuer=body.issuer,
        actor=Actor(p.actor, p.user_id),
        now=now,
    )
    session.commit()
    return _out(session, n)


@router.post("/notices/{notice_id}/publish", response_model=NoticeOut)
def publish(
    notice_id: IdPath,
    session: SessionDep,
    now: NowDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY))],
) -> NoticeOut:
    n = visible_notice(session, notice_id, p)
    service.publish(session, n, actor=Actor(p.actor, p.user_id), now=now)
    session.commit()
    return _out(session, n)


@router.post("/notices/{notice_id}/confirm-removal", response_model=RemovalConfirmationOut, status_code=201)
def confirm_removal(
    notice_id: IdPath,
    body: RemovalConfirmIn,
    session: SessionDep,
    now: NowDep,
    p: Annotated[Principal, Depends(allow(Role.STORE))],
) -> RemovalConfirmation:
    """The store confirms it removed the apps of this removal order from its platform."""
    n = visible_notice(session, notice_id, p)
    rc = None
    if n.kind == "removal" and p.store_id is not None:
        rc = supervision.confirm_removal(
            session, n.id, p.store_id, note=body.note, actor=Actor(p.actor, p.user_id), now=now
        )
    if rc is None:
        raise HTTPException(404, "下架通知不存在 / no such removal order for this store")
    session.commit()
    return rc
