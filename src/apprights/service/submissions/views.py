"""/api/v1/submissions: every intake kept raw, who sent it, when, and what came of it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from pydantic import BaseModel
from sqlalchemy import ColumnElement, func, select

from apprights.errors import InputError
from apprights.service.deps import IdPath, Page, PageDep, Principal, Role, SessionDep, SettingsDep, allow
from apprights.service.files import content_disposition
from apprights.service.submissions import service
from apprights.service.submissions.models import Submission
from apprights.service.timeutil import UtcTime

router = APIRouter(tags=["submissions"])
SUBMITTERS = (Role.MINISTRY, Role.PROVINCE, Role.AGENCY, Role.ENTERPRISE, Role.STORE)


class SubmissionError(BaseModel):
    where: str
    message: str


class SubmissionOut(BaseModel):
    id: int
    kind: str
    channel: str
    sha256: str
    size: int
    filename: str
    content_type: str
    submitted_by: int | None
    actor: str
    received_at: UtcTime
    outcome: str
    items_received: int
    items_accepted: int
    errors: list[SubmissionError] = []


def _out(row: Submission) -> SubmissionOut:
    errs = [
        SubmissionError(where=str(e.get("where", "")), message=str(e.get("message", "")))
        for e in service.errors_of(row)
        if isinstance(e, dict)
    ]
    fields = {k: getattr(row, k) for k in SubmissionOut.model_fields if k != "errors"}
    return SubmissionOut(**fields, errors=errs)


def _scope(p: Principal) -> list[ColumnElement[bool]]:
    """The ministry sees every submission; everyone else what they submitted themselves."""
    if p.role is Role.MINISTRY:
        return []
    return [Submission.submitted_by == p.user_id]


def _get(session: SessionDep, p: Principal, submission_id: int) -> Submission:
    row = session.scalar(select(Submission).where(Submission.id == submission_id, *_scope(p)))
    if row is None:
        raise HTTPException(404, "提交记录不存在 / no such submission")
    return row


@router.get("/submissions", response_model=Page[SubmissionOut])
def list_submissions(
    session: SessionDep,
    page: PageDep,
    p: Annotated[Principal, Depends(allow(*SUBMITTERS))],
    kind: Annotated[str | None, Query(max_length=32)] = None,
    outcome: Annotated[str | None, Query(pattern="^(received|accepted|partial|rejected|duplicate)$")] = None,
    sha256: Annotated[str | None, Query(pattern="^[0-9a-f]{64}$")] = None,
) -> Page[SubmissionOut]:
    """Newest first. Ministry: all; others: their own submissions."""
    where = _scope(p)
    if kind:
        where.append(Submission.kind == kind)
    if outcome:
        where.append(Submission.outcome == outcome)
    if sha256:
        where.append(Submission.sha256 == sha256)
    total = session.scalar(select(func.count()).select_from(Submission).where(*where)) or 0
    rows = session.scalars(
        select(Submission).where(*where).order_by(Submission.id.desc()).limit(page.limit).offset(page.offset)
    )
    return Page(items=[_out(r) for r in rows], total=total, limit=page.limit, offset=page.offset)


@router.get("/submissions/{submission_id}", response_model=SubmissionOut)
def get_submission(
    submission_id: IdPath, session: SessionDep, p: Annotated[Principal, Depends(allow(*SUBMITTERS))]
) -> SubmissionOut:
    return _out(_get(session, p, submission_id))


@router.get(
    "/submissions/{submission_id}/raw",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the bytes as submitted"}},
)
def download_submission(
    submission_id: IdPath,
    session: SessionDep,
    settings: SettingsDep,
    p: Annotated[Principal, Depends(allow(*SUBMITTERS))],
) -> Response:
    """The submitted bytes exactly as received (also when the submission was rejected)."""
    row = _get(session, p, submission_id)
    try:
        data = service.raw_bytes(settings.data_dir, row)
    except InputError as e:
        raise HTTPException(410, f"{e.path}: {e.problem}") from None
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": content_disposition(f"submission-{row.id}-{row.filename or 'raw'}")},
    )
