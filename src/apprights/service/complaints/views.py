"""/api/v1/complaints (12321 intake, public) and /api/v1/detection-tasks."""

from __future__ import annotations

import base64
import binascii
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import case, func, select

from apprights.errors import InputError
from apprights.service.apps.models import App
from apprights.service.complaints import service
from apprights.service.complaints.models import Complaint, DetectionTask
from apprights.service.complaints.schemas import (
    ComplaintGroup,
    ComplaintIn,
    ComplaintOut,
    ComplaintReceipt,
    DetectionTaskOut,
)
from apprights.service.db import utc_naive
from apprights.service.deps import NowDep, Page, PageDep, Principal, Role, SessionDep, SettingsDep, allow
from apprights.service.scope import app_filter
from apprights.service.security import PiCipher
from apprights.service.submissions import service as submissions
from apprights.service.submissions.models import Submission

router = APIRouter(tags=["complaints"])
# Only the ministry's complaint handlers see who complained; provinces see the complaint without the person.
PI_ROLES = frozenset({Role.MINISTRY})


@router.post("/complaints", response_model=ComplaintReceipt, status_code=201)
def file_complaint(
    body: ComplaintIn,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    _p: Annotated[Principal, Depends(allow(Role.PUBLIC))],
) -> ComplaintReceipt:
    """Anyone may complain about an app (12321 channel). Each attachment is kept (decoded; as sent when it is
    not valid base64) before the complaint is taken in; the complaint text itself is stored (contact encrypted)
    only with the complaint: its personal data never goes to disk in the clear."""
    subs = []
    for att in body.attachments:
        try:
            content = base64.b64decode(att.content_base64, validate=True)
        except (binascii.Error, ValueError):
            content = att.content_base64.encode("utf-8", "replace")
        subs.append(
            submissions.receive_from(
                session,
                settings.data_dir,
                _p,
                kind="complaint_attachment",
                content=content,
                now=now,
                filename=att.filename,
                content_type=att.content_type,
                max_bytes=settings.max_upload_bytes,
            ).id
        )
    session.commit()
    try:
        complaint, task = service.intake(
            session,
            body,
            cipher=PiCipher(settings.fernet_key()),
            now=now,
            data_dir=settings.data_dir,
            max_upload_bytes=settings.max_upload_bytes,
            threshold=settings.complaint_threshold,
            window_days=settings.complaint_window_days,
        )
    except InputError as e:
        session.rollback()
        for sid in subs:
            row = session.get(Submission, sid)
            if row is not None:
                submissions.finish(
                    row, received=1, accepted=0, errors=[(e.path, e.problem)], outcome="rejected"
                )
        session.commit()
        raise
    for sid in subs:
        row = session.get(Submission, sid)
        if row is not None:
            submissions.finish(row, received=1, accepted=1)
    session.commit()
    return ComplaintReceipt(
        id=complaint.id, received_at=complaint.received_at, detection_task_id=task.id if task else None
    )


def _where(p: Principal) -> list[object]:
    if p.role is Role.PROVINCE:
        return [Complaint.app_id.in_(select(App.id).where(app_filter(p)))]
    return []


@router.get("/complaints", response_model=Page[ComplaintOut])
def list_complaints(
    session: SessionDep,
    page: PageDep,
    settings: SettingsDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY, Role.PROVINCE))],
) -> Page[ComplaintOut]:
    where = _where(p)
    total = session.scalar(select(func.count()).select_from(Complaint).where(*where)) or 0  # type: ignore[arg-type]
    rows = session.scalars(
        select(Complaint).where(*where).order_by(Complaint.id).limit(page.limit).offset(page.offset)  # type: ignore[arg-type]
    )
    cipher = PiCipher(settings.fernet_key())
    items = []
    for c in rows:
        out = ComplaintOut.model_validate(c)
        if p.role in PI_ROLES:
            out = out.model_copy(update={"contact": service.decrypt_contact(cipher, c)})
        items.append(out)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/complaints/by-app", response_model=Page[ComplaintGroup])
def complaints_by_app(
    session: SessionDep,
    page: PageDep,
    now: NowDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY, Role.PROVINCE))],
) -> Page[ComplaintGroup]:
    """Complaints grouped by app (package, or the name when the app is not registered)."""
    since = utc_naive(now) - timedelta(days=30)
    where = _where(p)
    recent = func.sum(case((Complaint.received_at >= since, 1), else_=0))
    q = (
        select(
            Complaint.group_key,
            func.max(Complaint.app_id),
            func.max(Complaint.app_name),
            func.count(),
            recent,
        )
        .where(*where)  # type: ignore[arg-type]
        .group_by(Complaint.group_key)
    )
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = session.execute(
        q.order_by(func.count().desc(), Complaint.group_key).limit(page.limit).offset(page.offset)
    )
    items = [
        ComplaintGroup(group_key=k, app_id=a, app_name=n or "", complaints=c, last_30_days=int(r or 0))
        for k, a, n, c, r in rows.all()
    ]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/detection-tasks", response_model=Page[DetectionTaskOut])
def detection_tasks(
    session: SessionDep, page: PageDep, _p: Annotated[Principal, Depends(allow(Role.MINISTRY, Role.AGENCY))]
) -> Page[DetectionTaskOut]:
    """Detection tasks queued by complaint volume."""
    total = session.scalar(select(func.count()).select_from(DetectionTask)) or 0
    rows = session.scalars(
        select(DetectionTask).order_by(DetectionTask.id).limit(page.limit).offset(page.offset)
    )
    return Page(
        items=[DetectionTaskOut.model_validate(t) for t in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )
