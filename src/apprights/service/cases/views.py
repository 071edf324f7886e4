"""/api/v1/cases and /api/v1/admin/calendar."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, UploadFile
from fastapi.encoders import jsonable_encoder
from pydantic import ValidationError
from sqlalchemy import ColumnElement, Select, bindparam, func, select

from apprights.errors import InputError
from apprights.service import audit
from apprights.service.apps.models import App
from apprights.service.cases import attachments, flows
from apprights.service.cases.lifecycle import State, allowed_targets
from apprights.service.cases.models import CalendarYear, Case, CaseResponse
from apprights.service.cases.schemas import (
    AuditOut,
    CalendarYearIn,
    CalendarYearOut,
    CaseDetail,
    CaseOut,
    EscalateIn,
    OverdueOut,
    ResponseIn,
    ResponseOut,
    RetestIn,
    TransitionIn,
)
from apprights.service.db import utc_naive
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
from apprights.service.errors import Conflict, Forbidden, NotFound
from apprights.service.files import untrusted_download
from apprights.service.leads.schemas import FileOut
from apprights.service.notices import service as notices
from apprights.service.notices.models import NoticeCase
from apprights.service.notices.schemas import NoticeOut, RectificationIn
from apprights.service.orgs.models import Province
from apprights.service.scans.models import Finding
from apprights.service.scope import case_filter, may_see_case
from apprights.service.submissions import service as submissions
from apprights.service.submissions.models import Submission
from apprights.service.timeutil import as_utc, deadline_end
from apprights.service.uploads import SpooledBody, StreamedBody

router = APIRouter(tags=["cases"])
STAFF = (Role.MINISTRY, Role.PROVINCE)


def _issuer_of(session: SessionDep, p: Principal) -> str:
    """A province's notices are issued by its communication administration; the ministry's by the bureau."""
    if p.role is Role.PROVINCE and p.province_code:
        prov = session.get(Province, p.province_code)
        if prov is not None:
            return prov.administration_zh
    return ""


def actor_of(p: Principal) -> flows.Actor:
    return flows.Actor(p.actor, p.user_id)


def visible_case(session: SessionDep, case_id: int, p: Principal) -> Case:
    case = session.get(Case, case_id)
    app = session.get(App, case.app_id) if case is not None else None
    if case is None or app is None or not may_see_case(p, case, app):
        raise HTTPException(404, "案件不存在 / no such case")
    return case


# The case list is the busiest read (every console page and client polls it): its rows are selected as plain
# columns (no ORM objects), made into dicts and serialised once with orjson. The JSON is exactly what
# ``Page[CaseOut]`` gives (tests/service/test_case_list_fast.py); ``response_model`` keeps the OpenAPI schema.
CASE_LIST_COLUMNS = (
    Case.id,
    Case.app_id,
    Case.app_version_id,
    Case.store_id,
    Case.province_code,
    Case.problem_type,
    Case.state,
    Case.closed_as,
    Case.repeat,
    Case.repeat_of_case_id,
    Case.deadline,
    Case.working_days,
    Case.opened_at,
    Case.updated_at,
)
CASE_LIST_KEYS = tuple(c.key for c in CASE_LIST_COLUMNS)


def _page_with_total(where: Sequence[ColumnElement[bool]]) -> Select[*tuple[Any, ...]]:
    """One statement for the page and the total: the rows of ``CASE_LIST_COLUMNS`` and, as a last column, the
    count of all matching cases (an uncorrelated subquery the database evaluates once). One round trip instead
    of two; both numbers come from the same snapshot."""
    total = select(func.count()).select_from(Case).where(*where).scalar_subquery()
    return (
        select(*CASE_LIST_COLUMNS, total)
        .where(*where)
        .order_by(Case.id)
        .limit(bindparam("lim"))
        .offset(bindparam("off"))
    )


_PAGE_ALL = _page_with_total(())


def case_page_json(rows: Iterable[Sequence[Any]], total: int, limit: int, offset: int) -> bytes:
    """``Page[CaseOut]`` as JSON bytes, from rows of ``CASE_LIST_COLUMNS``."""
    items = []
    keys = CASE_LIST_KEYS
    for row in rows:
        item = dict(zip(keys, row, strict=True))
        item["opened_at"] = as_utc(item["opened_at"])
        item["updated_at"] = as_utc(item["updated_at"])
        item["deadline_at"] = deadline_end(item["deadline"])
        items.append(item)
    page = {"items": items, "total": total, "limit": limit, "offset": offset}
    return orjson.dumps(page, option=orjson.OPT_UTC_Z)


@router.get("/cases", response_model=Page[CaseOut])
def list_cases(
    session: SessionDep,
    page: PageDep,
    p: Annotated[Principal, Depends(allow(*STAFF, Role.ENTERPRISE))],
    state: Annotated[State | None, Query()] = None,
    app_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    conn = session.connection()  # Core rows: no ORM layer
    where: list[ColumnElement[bool]] = []
    if p.role is Role.MINISTRY and state is None and app_id is None:  # the common case: statement built once
        stmt = _PAGE_ALL
    else:
        where.append(case_filter(p))
        if state is not None:
            where.append(Case.state == str(state))
        if app_id is not None:
            where.append(Case.app_id == app_id)
        stmt = _page_with_total(where)
    rows: Sequence[Sequence[Any]] = conn.execute(stmt, {"lim": page.limit, "off": page.offset}).all()
    if rows:
        total = rows[0][-1]
        rows = [row[:-1] for row in rows]
    elif page.offset == 0:
        total = 0
    else:  # a page past the end carries no total: count on its own
        total = conn.execute(select(func.count()).select_from(Case).where(*where)).scalar() or 0
    session.close()  # in this worker thread: the connection goes back now (deps.get_session then has no I/O)
    return Response(case_page_json(rows, total, page.limit, page.offset), media_type="application/json")


def case_detail(session: SessionDep, case: Case, p: Principal) -> CaseDetail:
    """The case as ``p`` sees it: ``allowed`` lists only the transitions ``p``'s role may make; every response
    of the enterprise in full (late ones marked)."""
    responses = list(
        session.scalars(select(CaseResponse).where(CaseResponse.case_id == case.id).order_by(CaseResponse.id))
    )
    files = attachments.files_of(session, [r.id for r in responses])
    return CaseDetail(
        **CaseOut.model_validate(case).model_dump(),
        audit=[AuditOut.model_validate(a) for a in audit.trail(session, "case", case.id)],
        finding_ids=list(
            session.scalars(select(Finding.id).where(Finding.case_id == case.id).order_by(Finding.id))
        ),
        notice_ids=list(session.scalars(select(NoticeCase.notice_id).where(NoticeCase.case_id == case.id))),
        allowed=[str(s) for s in allowed_targets(State(case.state), str(p.role))],
        responses=[
            ResponseOut.model_validate(r).model_copy(
                update={"files": [FileOut.model_validate(f) for f in files.get(r.id, [])]}
            )
            for r in responses
        ],
    )


@router.get("/cases/{case_id}", response_model=CaseDetail)
def get_case(
    case_id: IdPath, session: SessionDep, p: Annotated[Principal, Depends(allow(*STAFF, Role.ENTERPRISE))]
) -> CaseDetail:
    """The case with its audit trail, findings, notices, deadline and the transitions allowed now."""
    return case_detail(session, visible_case(session, case_id, p), p)


@router.post("/cases/{case_id}/transitions", response_model=CaseDetail)
def transition(
    case_id: IdPath,
    body: TransitionIn,
    session: SessionDep,
    now: NowDep,
    p: Annotated[Principal, Depends(allow(*STAFF))],
) -> CaseDetail:
    """Move the case along the lifecycle table (guards apply; every move is audited)."""
    case = visible_case(session, case_id, p)
    if body.to is State.NOTICE_ISSUED:
        raise HTTPException(409, "请通过 /notice 下发整改通知 / issue a notice via POST /cases/{id}/notice")
    flows.transition(
        session, case, body.to, actor=actor_of(p), now=now, reason=body.reason, evidence=body.evidence
    )
    session.commit()
    return case_detail(session, case, p)


@router.post("/cases/{case_id}/notice", response_model=NoticeOut, status_code=201)
def issue_notice(
    case_id: IdPath,
    body: RectificationIn,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    p: Annotated[Principal, Depends(allow(*STAFF))],
) -> NoticeOut:
    """Issue the rectification notice: deadline = N Chinese working days after issue (N=5 unless given)."""
    case = visible_case(session, case_id, p)
    n = body.working_days or settings.default_working_days
    notice = notices.issue_rectification(
        session,
        case,
        actor=actor_of(p),
        now=now,
        issued_on=body.issued_on,
        working_days=n,
        issuer=body.issuer or _issuer_of(session, p),
    )
    session.commit()
    return NoticeOut.model_validate(notice).model_copy(update={"case_ids": [case.id]})


MAX_RESPONSE_BYTES = 256 * 1024
_RESPONSE_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": ResponseIn.model_json_schema()}},
    }
}


@router.post("/cases/{case_id}/response", response_model=CaseDetail, openapi_extra=_RESPONSE_BODY)
def respond(
    case_id: IdPath,
    request: Request,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    p: Annotated[Principal, Depends(allow(Role.ENTERPRISE))],
    body_file: Annotated[SpooledBody, Depends(StreamedBody(lambda _s: MAX_RESPONSE_BYTES))],
) -> CaseDetail:
    """The enterprise answers the notice (optionally pointing at the rectified version's scan run, whose report
    it submits with ``POST /scans``). The answer is kept as sent (``/submissions``), also when it is refused."""
    too_big = body_file.too_big
    data = b"" if too_big else body_file.read_bytes()
    sub = submissions.receive_from(
        session,
        settings.data_dir,
        p,
        kind="case_response",
        spooled=body_file,
        now=now,
        filename=f"case-{case_id}-response.json",
        content_type=request.headers.get("content-type", ""),
        max_bytes=MAX_RESPONSE_BYTES,
    )
    sub_id = sub.id
    session.commit()
    if too_big:
        raise HTTPException(413, f"反馈过大 / response larger than {MAX_RESPONSE_BYTES} bytes")
    try:
        try:
            body = ResponseIn.model_validate_json(data)
        except ValidationError as e:
            errs = e.errors(include_url=False, include_context=False, include_input=False)
            raise HTTPException(422, jsonable_encoder(errs)) from None
        case = visible_case(session, case_id, p)
        flows.respond(
            session,
            case,
            text=body.text,
            scan_run_id=body.scan_run_id,
            actor=actor_of(p),
            now=now,
            version_name=body.version_name,
            version_code=body.version_code,
        )
    except (HTTPException, InputError, Conflict, NotFound, Forbidden) as e:
        session.rollback()
        row = session.get(Submission, sub_id)
        assert row is not None
        msg = e.problem if isinstance(e, InputError) else str(getattr(e, "detail", e))
        submissions.finish(row, received=1, accepted=0, errors=[("response", msg)], outcome="rejected")
        session.commit()
        raise
    row = session.get(Submission, sub_id)
    assert row is not None
    submissions.finish(row, received=1, accepted=1)
    session.commit()
    return case_detail(session, case, p)


def _own_response(session: SessionDep, p: Principal, case_id: int, response_id: int) -> CaseResponse:
    case = visible_case(session, case_id, p)
    resp = session.get(CaseResponse, response_id)
    if resp is None or resp.case_id != case.id:
        raise HTTPException(404, "反馈不存在 / no such response")
    return resp


@router.post("/cases/{case_id}/responses/{response_id}/files", response_model=FileOut, status_code=201)
def attach_response_file(
    case_id: IdPath,
    response_id: IdPath,
    file: UploadFile,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    p: Annotated[Principal, Depends(allow(Role.ENTERPRISE))],
) -> FileOut:
    """Attach an evidence file (screenshot, document; ``截图.png`` keeps its name) to the enterprise's
    response; at most ``max_upload_bytes`` each and ten per response. Kept as sent (``/submissions``)."""
    resp = _own_response(session, p, case_id, response_id)
    name = file.filename or "file"
    content = file.file.read(settings.max_upload_bytes + 1)  # a plain def route: this thread may block
    sub = submissions.receive_from(
        session,
        settings.data_dir,
        p,
        kind="response_file",
        content=content,
        now=now,
        filename=name,
        content_type=file.content_type or "",
        max_bytes=settings.max_upload_bytes,
    )
    session.commit()  # kept before anything else is decided
    if sub.outcome == "rejected":
        raise HTTPException(413, f"文件过大 / larger than {settings.max_upload_bytes} bytes")
    try:
        row = attachments.attach(
            session,
            settings.data_dir,
            resp,
            actor=actor_of(p),
            filename=name,
            content=content,
            content_type=file.content_type or "",
            now=now,
            max_bytes=settings.max_upload_bytes,
        )
    except InputError as e:
        session.rollback()
        sub_row = session.get(Submission, sub.id)
        assert sub_row is not None
        submissions.finish(sub_row, received=1, accepted=0, errors=[("file", e.problem)], outcome="rejected")
        session.commit()
        raise HTTPException(409, e.problem) from None
    submissions.finish(sub, received=1, accepted=1)
    session.commit()
    return FileOut.model_validate(row)


@router.get(
    "/cases/{case_id}/responses/{response_id}/files/{file_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the evidence file"}},
)
def download_response_file(
    case_id: IdPath,
    response_id: IdPath,
    file_id: IdPath,
    session: SessionDep,
    settings: SettingsDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY, Role.PROVINCE, Role.ENTERPRISE))],
) -> Response:
    """An evidence file of a response, under its original name (RFC 5987 ``filename*``), to whoever may see
    the case."""
    visible_case(session, case_id, p)
    row = attachments.file_of(session, case_id, response_id, file_id)
    if row is None:
        raise HTTPException(404, "文件不存在 / no such file")
    return untrusted_download(settings.data_dir, row)


@router.post("/cases/{case_id}/retest", response_model=CaseDetail)
def retest(
    case_id: IdPath,
    body: RetestIn,
    session: SessionDep,
    settings: SettingsDep,
    now: NowDep,
    p: Annotated[Principal, Depends(allow(*STAFF))],
) -> CaseDetail:
    """Re-test against a later scan: not rectified if a problem of the case recurs; rectified only if the scan's
    report shows every problem's rule ran on the same kinds of evidence (409 otherwise)."""
    case = visible_case(session, case_id, p)
    flows.retest(
        session, case, scan_run_id=body.scan_run_id, actor=actor_of(p), now=now, data_dir=settings.data_dir
    )
    session.commit()
    return case_detail(session, case, p)


@router.post("/cases/{case_id}/escalate", response_model=CaseDetail)
def escalate(
    case_id: IdPath,
    body: EscalateIn,
    session: SessionDep,
    now: NowDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY))],
) -> CaseDetail:
    """One rung up the ladder 通报 → 下架 → 行政处罚 → 不良名单."""
    case = visible_case(session, case_id, p)
    flows.escalate(session, case, actor=actor_of(p), now=now, reason=body.reason)
    session.commit()
    return case_detail(session, case, p)


@router.post("/cases/escalate-overdue", response_model=OverdueOut)
def escalate_overdue(
    session: SessionDep, now: NowDep, p: Annotated[Principal, Depends(allow(Role.MINISTRY))]
) -> OverdueOut:
    """Run the overdue job now (idempotent)."""
    moved = flows.escalate_overdue(session, now, actor=actor_of(p))
    session.commit()
    return OverdueOut(moved=moved)


MAX_CALENDAR_BYTES = 64 * 1024
_CALENDAR_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": CalendarYearIn.model_json_schema()}},
    }
}


@router.put("/admin/calendar/{year}", response_model=CalendarYearOut, openapi_extra=_CALENDAR_BODY)
@router.post("/admin/calendar/{year}", response_model=CalendarYearOut, openapi_extra=_CALENDAR_BODY)
def load_calendar_year(
    year: Annotated[int, Path(ge=2000, le=2200)],
    request: Request,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY))],
    body_file: Annotated[SpooledBody, Depends(StreamedBody(lambda _s: MAX_CALENDAR_BYTES))],
) -> CalendarYearOut:
    """Load (or replace) a year's official schedule: holidays and make-up working days (调休上班日). The
    uploaded JSON is kept as sent (``/submissions``), also when it is refused."""
    too_big = body_file.too_big
    data = b"" if too_big else body_file.read_bytes()
    sub = submissions.receive_from(
        session,
        settings.data_dir,
        p,
        kind="calendar",
        spooled=body_file,
        now=now,
        filename=f"calendar-{year}.json",
        content_type=request.headers.get("content-type", ""),
        max_bytes=MAX_CALENDAR_BYTES,
    )
    sub_id = sub.id
    session.commit()
    if too_big:
        raise HTTPException(413, f"日历过大 / schedule larger than {MAX_CALENDAR_BYTES} bytes")
    try:
        try:
            body = CalendarYearIn.model_validate_json(data)
        except ValidationError as e:
            errs = e.errors(include_url=False, include_context=False, include_input=False)
            problems = [(".".join(str(x) for x in err["loc"]) or "body", err["msg"]) for err in errs]
            submissions.finish(sub, received=1, accepted=0, errors=problems, outcome="rejected")
            session.commit()
            raise HTTPException(422, jsonable_encoder(errs)) from None
        out = _load_calendar(session, year, body, now, p)
    except InputError as e:
        session.rollback()
        row = session.get(Submission, sub_id)
        assert row is not None
        submissions.finish(row, received=1, accepted=0, errors=[(e.path, e.problem)], outcome="rejected")
        session.commit()
        raise
    row = session.get(Submission, sub_id)
    assert row is not None
    submissions.finish(row, received=1, accepted=1)
    session.commit()
    return out


def _load_calendar(
    session: SessionDep, year: int, body: CalendarYearIn, now: NowDep, p: Principal
) -> CalendarYearOut:
    for d in [*body.holidays, *body.workdays]:
        if d.year != year:
            raise InputError(f"calendar {year}", f"{d.isoformat()} 不在 {year} 年 / is not in {year}")
    overlap = set(body.holidays) & set(body.workdays)
    if overlap:
        raise InputError(
            f"calendar {year}", f"同时为假日和工作日 / both holiday and workday: {sorted(overlap)[0]}"
        )
    flows.build_calendar(session)  # the stored years must still load
    row = session.get(CalendarYear, year)
    if row is None:
        row = CalendarYear(year=year)
        session.add(row)
    row.holidays = json.dumps(sorted(d.isoformat() for d in body.holidays))
    row.workdays = json.dumps(sorted(d.isoformat() for d in body.workdays))
    row.source = body.source
    row.loaded_at = utc_naive(now)
    row.loaded_by = p.user_id
    audit.record(
        session, now=now, actor=p.actor, actor_id=p.user_id, entity="calendar", entity_id=year, action="load"
    )
    session.flush()
    return CalendarYearOut(
        year=year,
        holidays=sorted(set(body.holidays)),
        workdays=sorted(set(body.workdays)),
        source=body.source,
    )


@router.get("/admin/calendar", response_model=list[CalendarYearOut])
def list_calendar_years(
    session: SessionDep, _p: Annotated[Principal, Depends(allow(Role.MINISTRY))]
) -> list[CalendarYearOut]:
    """Operator-loaded year schedules (a handful of rows, not paginated)."""
    return [
        CalendarYearOut(
            year=r.year,
            holidays=[date.fromisoformat(d) for d in json.loads(r.holidays)],
            workdays=[date.fromisoformat(d) for d in json.loads(r.workdays)],
            source=r.source,
        )
        for r in session.scalars(select(CalendarYear).order_by(CalendarYear.year))
    ]
