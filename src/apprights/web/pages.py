"""Server-rendered pages (Jinja2) for reviewers, enterprises and the public; labels in Chinese and English."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile as StarletteUpload

from apprights.errors import CalendarError, InputError
from apprights.service import audit
from apprights.service.apps.models import App, AppVersion
from apprights.service.apps.service import history
from apprights.service.cases import attachments, flows
from apprights.service.cases.lifecycle import State, TransitionError, next_escalation
from apprights.service.cases.models import Case, CaseResponse
from apprights.service.deps import (
    SESSION_COOKIE,
    NowDep,
    Principal,
    Role,
    SessionDep,
    SettingsDep,
    resolve_principal,
)
from apprights.service.documents import render_html
from apprights.service.errors import Conflict, NotFound
from apprights.service.files import content_disposition
from apprights.service.notices import service as notices
from apprights.service.notices.models import Notice, NoticeCase
from apprights.service.orgs.models import Enterprise
from apprights.service.scans.models import Finding, ScanRun
from apprights.service.scans.views import report_bytes
from apprights.service.scope import app_filter, case_filter, may_see_app, may_see_case
from apprights.service.stores.models import Store
from apprights.service.submissions import service as submissions
from apprights.service.submissions.models import Submission
from apprights.service.users import service as users
from apprights.service.users.views import login_throttle
from apprights.web.errors import install_error_pages
from apprights.web.evidence import view as evidence_view
from apprights.web.render import LANG_COOKIE, LANGS, STATIC, Pages
from apprights.web.roles import targets_for

STAFF = (Role.MINISTRY, Role.PROVINCE)
REPORT_READERS = (Role.MINISTRY, Role.AGENCY, Role.ENTERPRISE)  # may download a finding's source report
PAGE = 50


def _escalation(state: State) -> State | None:
    """The rung the escalate button moves to (下架 goes through a removal order instead)."""
    if state is State.NOT_RECTIFIED:
        return State.ESCALATED_PUBLIC
    if state is State.ESCALATED_PUBLIC:
        return None
    return next_escalation(state)


async def _form_files(request: Request) -> list[StarletteUpload]:
    """The ``files`` parts of a multipart form (an empty file input still sends a part, with no file name:
    skipped)."""
    form = await request.form()  # already parsed for the route's Form fields: cached by Starlette
    return [f for f in form.getlist("files") if isinstance(f, StarletteUpload) and f.filename]


def _finish_all(session: Session, submission_ids: list[int], why: str) -> None:
    """Record a refused answer on its submissions (the text and every file)."""
    for row_id in submission_ids:
        row = session.get(Submission, row_id)
        if row is not None:
            submissions.finish(row, received=1, accepted=0, errors=[("response", why)], outcome="rejected")
    session.commit()


class _Redirect(Exception):
    def __init__(self, url: str) -> None:
        self.url = url


def install_pages(app: FastAPI) -> None:
    pages = Pages()
    render = pages.render
    router = APIRouter(include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def who(request: Request, session: SessionDep, now: NowDep) -> Principal | None:
        token = request.cookies.get(SESSION_COOKIE)
        p = resolve_principal(session, token, now) if token else None
        if p is not None and p.must_change_password and request.url.path != "/password":
            raise _Redirect(
                "/password"
            )  # a reset account changes its temporary password before anything else
        return p

    def need(request: Request, session: SessionDep, now: NowDep, roles: tuple[Role, ...]) -> Principal:
        p = who(request, session, now)
        if p is None:
            raise _Redirect("/login")
        if p.role not in roles:
            raise HTTPException(403, "无权访问 / forbidden")
        return p

    @app.exception_handler(_Redirect)
    async def _redirect(_r: Request, e: _Redirect) -> Response:
        return RedirectResponse(e.url, status_code=303)

    @router.get("/lang/{code}")
    def switch_language(code: str, next: str = "/") -> Response:
        target = next if next.startswith("/") and not next.startswith("//") else "/"
        resp = RedirectResponse(target, status_code=303)
        if code in LANGS:
            resp.set_cookie(LANG_COOKIE, code, samesite="lax", max_age=365 * 86400)
        return resp

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request) -> HTMLResponse:
        return render(request, "login.html", None, error="")

    @router.post("/login")
    def login(
        request: Request,
        session: SessionDep,
        now: NowDep,
        settings: SettingsDep,
        username: Annotated[str, Form(max_length=100)],
        password: Annotated[str, Form(max_length=200)],
    ) -> Response:
        try:
            token, _ = users.login(
                session, username, password, now, settings.session_hours, unknown=login_throttle(request)
            )
        except PermissionError as e:  # also users.LoginLocked (too many failures): the same page, its message
            return render(request, "login.html", None, status=401, error=str(e))
        session.commit()
        resp = RedirectResponse("/", status_code=303)
        resp.set_cookie(
            SESSION_COOKIE, token, httponly=True, samesite="strict", max_age=settings.session_hours * 3600
        )
        return resp

    @router.post("/logout")
    def logout(request: Request, session: SessionDep) -> Response:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            users.logout(session, token)
            session.commit()
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(SESSION_COOKIE)
        return resp

    @router.get("/apps", response_class=HTMLResponse)
    def apps_page(
        request: Request, session: SessionDep, now: NowDep, offset: int = 0, q: str = ""
    ) -> Response:
        p = need(request, session, now, (*STAFF, Role.ENTERPRISE))
        offset = max(0, min(offset, 10**9))
        where = [app_filter(p)]
        if q:
            where.append(App.package.like(f"%{q[:200]}%") | App.name.like(f"%{q[:200]}%"))
        rows = session.scalars(select(App).where(*where).order_by(App.id).limit(PAGE).offset(offset)).all()
        return render(request, "apps.html", p, apps=rows, offset=offset, page=PAGE, q=q[:200])

    @router.get("/apps/{app_id}", response_class=HTMLResponse)
    def app_page(request: Request, app_id: int, session: SessionDep, now: NowDep) -> Response:
        p = need(request, session, now, (*STAFF, Role.ENTERPRISE))
        app_ = session.get(App, app_id) if 0 < app_id < 2**31 else None
        ent = session.get(Enterprise, app_.enterprise_id) if app_ and app_.enterprise_id else None
        if app_ is None or not may_see_app(p, app_, ent):
            raise HTTPException(404, "应用不存在 / no such app")
        versions, listings, cases = history(session, app_)
        return render(
            request,
            "app.html",
            p,
            app=app_,
            enterprise=ent,
            versions=versions,
            listings=listings,
            cases=cases,
        )

    @router.post("/findings/{finding_id}/review")
    def review(
        request: Request,
        finding_id: int,
        session: SessionDep,
        now: NowDep,
        decision: Annotated[str, Form(pattern="^(confirm|dismiss)$")],
        reason: Annotated[str, Form(max_length=1000)] = "",
    ) -> Response:
        p = need(request, session, now, STAFF)
        f = session.scalar(
            select(Finding).where(
                Finding.id == finding_id, Finding.app_id.in_(select(App.id).where(app_filter(p)))
            )
        )
        if f is None:
            raise HTTPException(404, "问题不存在 / no such finding")
        case = flows.review_finding(
            session,
            f,
            confirm=decision == "confirm",
            reason=reason,
            actor=flows.Actor(p.actor, p.user_id),
            now=now,
        )
        session.commit()
        return RedirectResponse(f"/cases/{case.id}" if case else "/findings", status_code=303)

    @router.get("/cases", response_class=HTMLResponse)
    def cases_page(
        request: Request, session: SessionDep, now: NowDep, offset: int = 0, state: str = ""
    ) -> Response:
        p = need(request, session, now, (*STAFF, Role.ENTERPRISE))
        offset = max(0, min(offset, 10**9))
        where = [case_filter(p)]
        if state in {str(s) for s in State}:
            where.append(Case.state == state)
        q = select(Case, App).join(App, App.id == Case.app_id).where(*where).order_by(Case.id.desc())
        rows = session.execute(q.limit(PAGE).offset(offset)).all()
        return render(request, "cases.html", p, rows=rows, offset=offset, page=PAGE, state=state)

    def visible_case(p: Principal, session: SessionDep, case_id: int) -> tuple[Case, App]:
        case = session.get(Case, case_id) if 0 < case_id < 2**31 else None
        app_ = session.get(App, case.app_id) if case else None
        if case is None or app_ is None or not may_see_case(p, case, app_):
            raise HTTPException(404, "案件不存在 / no such case")
        return case, app_

    def show_case(
        request: Request, p: Principal, session: SessionDep, case: Case, app_: App, error: str = ""
    ) -> Response:
        trail = audit.trail(session, "case", case.id)
        findings = session.scalars(
            select(Finding).where(Finding.case_id == case.id).order_by(Finding.id)
        ).all()
        notice_rows = session.scalars(
            select(Notice)
            .join(NoticeCase, NoticeCase.notice_id == Notice.id)
            .where(NoticeCase.case_id == case.id)
        ).all()
        store = session.get(Store, case.store_id) if case.store_id else None
        evidence = {f.id: evidence_view(f.evidence) for f in findings}
        responses = session.scalars(
            select(CaseResponse).where(CaseResponse.case_id == case.id).order_by(CaseResponse.id)
        ).all()
        response_files = attachments.files_of(session, [r.id for r in responses])
        later_runs: list[tuple[ScanRun, AppVersion]] = []
        if p.role is Role.ENTERPRISE:  # scans of a rebuilt version the answer may point at
            own = {f.scan_run_id for f in findings}
            later_runs = [
                (r, v)
                for r, v in session.execute(
                    select(ScanRun, AppVersion)
                    .join(AppVersion, AppVersion.id == ScanRun.app_version_id)
                    .where(ScanRun.app_id == case.app_id, ScanRun.id.not_in(own))
                    .order_by(ScanRun.id.desc())
                    .limit(20)
                ).all()
            ]
        report_runs: set[int] = set()
        if p.role in REPORT_READERS and findings:
            report_runs = set(
                session.scalars(
                    select(ScanRun.id).where(
                        ScanRun.id.in_({f.scan_run_id for f in findings}),
                        (ScanRun.submission_id.is_not(None)) | ScanRun.self_check,
                    )
                )
            )
        allowed = [str(t) for t in targets_for(State(case.state), p.role) if t is not State.NOTICE_ISSUED]
        return render(
            request,
            "case.html",
            p,
            status=409 if error else 200,
            case=case,
            app=app_,
            trail=trail,
            findings=findings,
            notices=notice_rows,
            store=store,
            evidence=evidence,
            report_runs=report_runs,
            allowed=allowed,
            responses=responses,
            response_files=response_files,
            max_files=attachments.MAX_FILES,
            later_runs=later_runs,
            escalation=_escalation(State(case.state)),
            error=error,
        )

    @router.get("/scans/{scan_run_id}/report")
    def scan_report(request: Request, scan_run_id: int, session: SessionDep, now: NowDep) -> Response:
        """The exact report a scan run (and its findings) came from: the ministry, the submitting agency, the
        enterprise of the app."""
        p = need(request, session, now, REPORT_READERS)
        run = session.get(ScanRun, scan_run_id) if 0 < scan_run_id < 2**31 else None
        if run is None:
            raise HTTPException(404, "扫描记录不存在 / no such scan run")
        data, name = report_bytes(session, request.app.state.settings, p, run)
        return Response(
            data,
            media_type="application/json",
            headers={"Content-Disposition": content_disposition(name)},
        )

    @router.get("/cases/{case_id}", response_class=HTMLResponse)
    def case_page(request: Request, case_id: int, session: SessionDep, now: NowDep) -> Response:
        p = need(request, session, now, (*STAFF, Role.ENTERPRISE))
        case, app_ = visible_case(p, session, case_id)
        return show_case(request, p, session, case, app_)

    def act(
        request: Request, p: Principal, session: SessionDep, case: Case, app_: App, do: Callable[[], object]
    ) -> Response:
        try:
            do()
        except (TransitionError, CalendarError, InputError, Conflict, NotFound) as e:
            session.rollback()
            session.refresh(case)
            why = e.why if isinstance(e, TransitionError) else str(e)
            return show_case(request, p, session, case, app_, error=why)
        session.commit()
        return RedirectResponse(f"/cases/{case.id}", status_code=303)

    @router.post("/cases/{case_id}/notice")
    def issue_notice(
        request: Request,
        case_id: int,
        session: SessionDep,
        now: NowDep,
        settings: SettingsDep,
        working_days: Annotated[int, Form(ge=1, le=60)] = 5,
    ) -> Response:
        p = need(request, session, now, STAFF)
        case, app_ = visible_case(p, session, case_id)
        actor = flows.Actor(p.actor, p.user_id)
        return act(
            request,
            p,
            session,
            case,
            app_,
            lambda: notices.issue_rectification(
                session, case, actor=actor, now=now, issued_on=None, working_days=working_days
            ),
        )

    @router.post("/cases/{case_id}/transition")
    def move_case(
        request: Request,
        case_id: int,
        session: SessionDep,
        now: NowDep,
        to: Annotated[str, Form(max_length=32)],
        reason: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        p = need(request, session, now, STAFF)
        case, app_ = visible_case(p, session, case_id)
        if to not in {str(x) for x in State} or to == str(State.NOTICE_ISSUED):
            raise HTTPException(422, "未知状态 / unknown state")
        actor = flows.Actor(p.actor, p.user_id)
        return act(
            request,
            p,
            session,
            case,
            app_,
            lambda: flows.transition(session, case, State(to), actor=actor, now=now, reason=reason),
        )

    @router.post("/cases/{case_id}/retest")
    def retest_case(request: Request, case_id: int, session: SessionDep, now: NowDep) -> Response:
        """Re-test against the latest later scan of the app (an agency's re-test upload)."""
        p = need(request, session, now, STAFF)
        case, app_ = visible_case(p, session, case_id)
        actor = flows.Actor(p.actor, p.user_id)
        return act(
            request,
            p,
            session,
            case,
            app_,
            lambda: flows.retest(session, case, scan_run_id=None, actor=actor, now=now),
        )

    @router.post("/cases/{case_id}/escalate")
    def escalate_case(
        request: Request,
        case_id: int,
        session: SessionDep,
        now: NowDep,
        reason: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        """One rung up the ladder: not rectified → 通报 → 下架 → 行政处罚 → 不良名单."""
        p = need(request, session, now, (Role.MINISTRY,))
        case, app_ = visible_case(p, session, case_id)
        actor = flows.Actor(p.actor, p.user_id)
        return act(
            request,
            p,
            session,
            case,
            app_,
            lambda: flows.escalate(session, case, actor=actor, now=now, reason=reason),
        )

    @router.post("/cases/{case_id}/response")
    def respond(
        request: Request,
        case_id: int,
        session: SessionDep,
        now: NowDep,
        settings: SettingsDep,
        files: Annotated[list[StarletteUpload], Depends(_form_files)],
        text: Annotated[str, Form(min_length=1, max_length=20000)],
        scan_run_id: Annotated[int, Form(ge=0, le=2**31 - 1)] = 0,
        version_name: Annotated[str, Form(max_length=100)] = "",
        version_code: Annotated[str, Form(max_length=20, pattern="^[0-9]*$")] = "",
    ) -> Response:
        """The enterprise's answer: the rebuilt version (name and code, optionally the scan of it: its
        self-check or an agency's scan of the new version) and evidence files (screenshots, documents)."""
        p = need(request, session, now, (Role.ENTERPRISE,))
        uploads = [
            (f.filename or "file", f.file.read(settings.max_upload_bytes + 1), f.content_type or "")
            for f in files
        ]
        sub = submissions.receive_from(
            session,
            settings.data_dir,
            p,
            kind="case_response",
            content=text.encode("utf-8", "replace"),
            now=now,
            filename=f"case-{case_id}-response.txt",
            content_type="text/plain",
            channel="web",
        )
        sub_id = sub.id
        file_subs = [
            submissions.receive_from(
                session,
                settings.data_dir,
                p,
                kind="response_file",
                content=data,
                now=now,
                filename=name,
                content_type=ctype,
                max_bytes=settings.max_upload_bytes,
                channel="web",
            ).id
            for name, data, ctype in uploads
        ]
        session.commit()  # the answer and its files are kept before anything judges them
        why: list[str] = []
        try:
            case, app_ = visible_case(p, session, case_id)
            if len(uploads) > attachments.MAX_FILES:
                why.append(
                    f"每条反馈最多 {attachments.MAX_FILES} 个附件 / at most {attachments.MAX_FILES} files"
                )
                raise HTTPException(413, why[0])
            for name, data, _ in uploads:
                if len(data) > settings.max_upload_bytes:
                    why.append(f"{name}: 文件过大 / larger than {settings.max_upload_bytes} bytes")
                    raise HTTPException(413, why[0])
        except HTTPException as e:
            _finish_all(session, [sub_id, *file_subs], why[0] if why else str(e.detail))
            raise
        actor = flows.Actor(p.actor, p.user_id)

        def do() -> object:
            try:
                resp = flows.respond(
                    session,
                    case,
                    text=text,
                    scan_run_id=scan_run_id or None,
                    actor=actor,
                    now=now,
                    version_name=version_name.strip(),
                    version_code=int(version_code) if version_code else None,
                )
                for name, data, ctype in uploads:
                    attachments.attach(
                        session,
                        settings.data_dir,
                        resp,
                        actor=actor,
                        filename=name,
                        content=data,
                        content_type=ctype,
                        now=now,
                        max_bytes=settings.max_upload_bytes,
                    )
                return resp
            except Exception as e:
                why.append(str(e)[:1000])
                raise

        out = act(request, p, session, case, app_, do)
        if out.status_code < 400:
            for row_id in [sub_id, *file_subs]:
                row = session.get(Submission, row_id)
                if row is not None:
                    submissions.finish(row, received=1, accepted=1)
            session.commit()
        else:
            _finish_all(session, [sub_id, *file_subs], why[0] if why else "refused")
        return out

    @router.get("/public/notices", response_class=HTMLResponse)
    def public_notices(request: Request, session: SessionDep, now: NowDep, offset: int = 0) -> Response:
        offset = max(0, min(offset, 10**9))
        rows = session.scalars(
            select(Notice)
            .where(Notice.published.is_(True))
            .order_by(Notice.id.desc())
            .limit(PAGE)
            .offset(offset)
        ).all()
        return render(
            request, "public_notices.html", who(request, session, now), notices=rows, offset=offset, page=PAGE
        )

    @router.get("/public/notices/{notice_id}", response_class=HTMLResponse)
    def public_notice(request: Request, notice_id: int, session: SessionDep) -> Response:
        n = session.get(Notice, notice_id) if 0 < notice_id < 2**31 else None
        if n is None or not n.published:
            raise HTTPException(404, "通报不存在 / no such notice")
        return HTMLResponse(render_html(notices.build_document(session, n)))

    from apprights.web.account_pages import add_account_routes
    from apprights.web.admin_pages import add_admin_routes
    from apprights.web.campaign_pages import add_campaign_routes
    from apprights.web.console_pages import add_console_routes
    from apprights.web.role_pages import add_role_routes
    from apprights.web.supervision_pages import add_routes

    add_routes(router, render, need)
    add_admin_routes(router, render, need)
    add_account_routes(router, render, who)
    add_campaign_routes(router, render, need)
    add_console_routes(router, render, need, who)
    add_role_routes(router, render, need, who)
    app.include_router(router)
    install_error_pages(app, pages)
