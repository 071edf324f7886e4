"""/api/v1/scans (ingestion) and /api/v1/findings (review)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import ColumnElement, func, select

from apprights.errors import InputError
from apprights.service.apps.models import App
from apprights.service.campaigns import service as campaigns
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
from apprights.service.files import content_disposition
from apprights.service.jobs import runner as jobs
from apprights.service.jobs.runner import JOB_CHANNEL, JobRunner
from apprights.service.jobs.schemas import JobOut
from apprights.service.jobs.views import job_out
from apprights.service.scans.ingest import ingest_payload
from apprights.service.scans.models import Finding, ScanRun
from apprights.service.scans.schemas import (
    FindingOut,
    IngestError,
    IngestOut,
    LineOutcome,
    ReviewIn,
    ReviewOut,
    ScanRunOut,
)
from apprights.service.scans.selfcheck import mark_self_check
from apprights.service.scope import app_filter
from apprights.service.settings import Settings
from apprights.service.stores.models import Store
from apprights.service.submissions import service as submissions
from apprights.service.submissions.models import Submission
from apprights.service.uploads import SpooledBody, StreamedBody

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


def _report_cap(settings: Settings) -> int:
    return settings.max_report_bytes


def _wants_async(request: Request) -> bool:
    return "respond-async" in request.headers.get("prefer", "").lower()


@router.post(
    "/scans",
    response_model=IngestOut,
    openapi_extra=_REPORT_BODY,
    responses={202: {"model": JobOut, "description": "a large batch: ingested in the background"}},
)
def ingest(
    request: Request,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    p: Annotated[Principal, Depends(allow(Role.AGENCY, Role.MINISTRY, Role.ENTERPRISE))],
    body: Annotated[SpooledBody, Depends(StreamedBody(_report_cap))],
    store: Annotated[
        str | None, Query(max_length=64, description="store code the app was taken from")
    ] = None,
    campaign_id: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="the campaign (专项行动) the reports belong to")
    ] = None,
) -> IngestOut | JSONResponse:
    """Ingest one scan report (JSON) or a JSON-Lines batch. Idempotent: a report already stored is skipped.
    An enterprise may submit reports of its own apps only (e.g. the rectified version).

    A body larger than ``sync_ingest_max_bytes`` (8 MiB), or any body sent with ``Prefer: respond-async``, is
    kept and answered at once with ``202 Accepted`` and a job (``Location: /api/v1/jobs/{id}``); the batch is
    ingested in the background and the job reports the outcome."""
    ctype = request.headers.get("content-type", "")
    background = not body.too_big and (body.size > settings.sync_ingest_max_bytes or _wants_async(request))
    sub = submissions.receive(
        session,
        settings.data_dir,
        kind="scan_report",
        spooled=body,
        now=now,
        filename="batch.jsonl" if "ndjson" in ctype or "jsonl" in ctype else "report.json",
        content_type=ctype,
        user_id=p.user_id,
        actor=p.actor,
        agency_id=p.agency_id,
        enterprise_id=p.enterprise_id,
        channel=JOB_CHANNEL if background else "api",
    )
    sub_id = sub.id
    campaign_error = ""
    try:
        if campaign_id is not None and p.role is Role.ENTERPRISE:
            raise InputError(
                "campaign_id", "企业自查报告不属于专项行动 / an enterprise's own report is in no campaign"
            )
        sub.campaign_id = campaigns.resolve(session, campaign_id)
    except InputError as e:
        campaign_error = e.problem
    hdr = {"X-Apprights-Submission": str(sub_id)}
    if body.too_big:
        session.commit()
        raise HTTPException(413, f"报告过大 / payload larger than {settings.max_report_bytes} bytes", hdr)
    if campaign_error:
        submissions.finish(
            sub, received=0, accepted=0, errors=[("campaign_id", campaign_error)], outcome="rejected"
        )
        session.commit()
        raise HTTPException(422, campaign_error, hdr)
    store_id = None
    if store:
        store_id = session.scalar(select(Store.id).where(Store.code == store))
        if store_id is None:
            msg = f"未知应用商店 / unknown store {store!r}"
            submissions.finish(sub, received=0, accepted=0, errors=[("store", msg)], outcome="rejected")
            session.commit()
            raise HTTPException(422, msg, hdr)
    allowed = None
    if p.role is Role.ENTERPRISE:
        allowed = set(session.scalars(select(App.package).where(App.enterprise_id == p.enterprise_id)))
    if background:
        # the job row commits with the submission: a kept batch always has its job, in any service process
        job = jobs.enqueue(
            session,
            sub,
            now=now,
            agency_id=p.agency_id,
            user_id=p.user_id,
            store_id=store_id,
            allowed_packages=allowed,
            self_check=p.role is Role.ENTERPRISE,
            campaign_id=sub.campaign_id,
        )
        out = job_out(job, sub)
        session.commit()
        runner: JobRunner = request.app.state.jobs
        runner.wake()
        return JSONResponse(
            out.model_dump(mode="json"),
            status_code=202,
            headers={**hdr, "Location": f"{request.scope.get('root_path', '')}/api/v1/jobs/{sub_id}"},
        )
    session.commit()  # kept (and committed) before anything parses it: a rejected submission is never lost
    data = submissions.raw_bytes(settings.data_dir, sub)
    res = ingest_payload(
        session,
        data,
        "request",
        now=now,
        agency_id=p.agency_id,
        user_id=p.user_id,
        store_id=store_id,
        allowed_packages=allowed,
        submission_id=sub_id,
        campaign_id=sub.campaign_id,
    )
    if p.role is Role.ENTERPRISE and res.scan_run_ids:
        # an enterprise's own report is a self-check: kept and shown, never a test result, never reviewed,
        # never a finding against a store
        mark_self_check(session, res.scan_run_ids)
    if res.errors and not res.stored and not res.duplicates:
        session.rollback()
        row = session.get(Submission, sub_id)
        assert row is not None
        submissions.finish(row, received=res.received, accepted=0, errors=res.errors, outcome="rejected")
        session.commit()
        raise HTTPException(422, [{"where": w, "message": m} for w, m in res.errors[:100]], hdr)
    submissions.finish(
        sub, received=res.received, accepted=res.stored, errors=res.errors, duplicates=res.duplicates
    )
    outcome = sub.outcome
    session.commit()
    return IngestOut(
        received=res.received,
        stored=res.stored,
        duplicates=res.duplicates,
        findings=res.findings,
        scan_run_ids=res.scan_run_ids,
        errors=[IngestError(where=w, message=m) for w, m in res.errors[:1000]],
        submission_id=sub_id,
        outcome=outcome,
        lines=[
            LineOutcome(where=w, line=n, outcome=o, scan_run_id=rid, message=m)
            for w, n, o, rid, m in res.outcomes[:10_000]
        ],
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


def report_bytes(session: SessionDep, settings: SettingsDep, p: Principal, run: ScanRun) -> tuple[bytes, str]:
    """The exact report a scan run came from, for the ministry, the submitting agency, and the enterprise of the
    app (``HTTPException`` 404 otherwise or when no stored report exists). Returns (bytes, file name)."""
    allowed = p.role is Role.MINISTRY or (p.role is Role.AGENCY and run.agency_id == p.agency_id)
    if p.role is Role.ENTERPRISE:
        owner = session.scalar(select(App.enterprise_id).where(App.id == run.app_id))
        allowed = owner is not None and owner == p.enterprise_id
    if not allowed:
        raise HTTPException(404, "扫描记录不存在 / no such scan run")
    try:
        if run.submission_id is not None:
            sub = session.get(Submission, run.submission_id)
            if sub is None:
                raise HTTPException(404, "报告原件不存在 / no stored report for this scan run")
            data = submissions.report_line(submissions.raw_bytes(settings.data_dir, sub), run.submission_line)
            return data, f"scan-run-{run.id}-report.json"
        if run.self_check:
            from apprights.service.files import read_file
            from apprights.service.leads.models import StoredFile
            from apprights.service.scans.models import SelfCheck

            sc = session.scalar(select(SelfCheck).where(SelfCheck.scan_run_id == run.id))
            stored = session.get(StoredFile, sc.report_file_id) if sc and sc.report_file_id else None
            if stored is not None:
                return read_file(settings.data_dir, stored), f"scan-run-{run.id}-report.json"
    except InputError as e:
        raise HTTPException(410, f"{e.path}: {e.problem}") from None
    raise HTTPException(404, "报告原件不存在 / no stored report for this scan run")


@router.get(
    "/scans/{scan_run_id}/report",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}, "description": "the report exactly as submitted"}},
)
def download_report(
    scan_run_id: IdPath,
    session: SessionDep,
    settings: SettingsDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY, Role.AGENCY, Role.ENTERPRISE))],
) -> Response:
    """The report exactly as it was submitted (one line of a JSON-Lines batch: that line), byte for byte."""
    run = session.get(ScanRun, scan_run_id)
    if run is None:
        raise HTTPException(404, "扫描记录不存在 / no such scan run")
    data, name = report_bytes(session, settings, p, run)
    return Response(
        data,
        media_type="application/json",
        headers={"Content-Disposition": content_disposition(name)},
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
