"""Server-rendered pages (Jinja2) for reviewers, enterprises and the public; labels in Chinese and English."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import jinja2
from fastapi import APIRouter, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select

from apprights.errors import CalendarError, InputError
from apprights.knowledge.legal import PROBLEM_TYPES
from apprights.service import audit
from apprights.service.apps.models import App
from apprights.service.apps.service import history
from apprights.service.cases import flows
from apprights.service.cases.lifecycle import LABELS, State, TransitionError, allowed_targets
from apprights.service.cases.models import Case
from apprights.service.deps import (
    ROLE_LABELS,
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

TEMPLATES = Path(__file__).resolve().parent / "templates"
STAFF = (Role.MINISTRY, Role.PROVINCE)
REPORT_READERS = (Role.MINISTRY, Role.AGENCY, Role.ENTERPRISE)  # may download a finding's source report
PAGE = 50


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined
    )
    env.globals["PROBLEM_TYPES"] = PROBLEM_TYPES
    env.globals["STATE_LABELS"] = {str(k): v for k, v in LABELS.items()}
    env.globals["ROLE_LABELS"] = {str(k): v for k, v in ROLE_LABELS.items()}
    return env


class _Redirect(Exception):
    def __init__(self, url: str) -> None:
        self.url = url


def install_pages(app: FastAPI) -> None:
    env = _env()
    router = APIRouter(include_in_schema=False)

    def render(
        request: Request, name: str, p: Principal | None, status: int = 200, **ctx: Any
    ) -> HTMLResponse:
        html = env.get_template(name).render(
            request=request, me=p, title=request.app.state.settings.title, **ctx
        )
        return HTMLResponse(html, status_code=status)

    def who(request: Request, session: SessionDep, now: NowDep) -> Principal | None:
        token = request.cookies.get(SESSION_COOKIE)
        return resolve_principal(session, token, now) if token else None

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

    @router.get("/", response_class=HTMLResponse)
    def dashboard(request: Request, session: SessionDep, now: NowDep) -> Response:
        p = who(request, session, now)
        if p is None:
            return RedirectResponse("/public/notices", status_code=303)
        counts = {
            "apps": session.scalar(select(func.count()).select_from(App).where(app_filter(p))) or 0,
            "pending": session.scalar(
                select(func.count())
                .select_from(Finding)
                .where(Finding.status == "pending", Finding.app_id.in_(select(App.id).where(app_filter(p))))
            )
            or 0,
        }
        by_state = dict(
            session.execute(select(Case.state, func.count()).where(case_filter(p)).group_by(Case.state)).all()
        )
        return render(request, "dashboard.html", p, counts=counts, by_state=by_state)

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

    @router.get("/findings", response_class=HTMLResponse)
    def findings_page(request: Request, session: SessionDep, now: NowDep, offset: int = 0) -> Response:
        p = need(request, session, now, STAFF)
        offset = max(0, min(offset, 10**9))
        q = (
            select(Finding, App)
            .join(App, App.id == Finding.app_id)
            .where(Finding.status == "pending", app_filter(p))
            .order_by(Finding.id)
            .limit(PAGE)
            .offset(offset)
        )
        rows = session.execute(q).all()
        return render(request, "findings.html", p, rows=rows, offset=offset, page=PAGE)

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
        evidence = {f.id: json.loads(f.evidence or "[]") for f in findings}
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
        allowed = [str(t) for t in allowed_targets(State(case.state)) if t is not State.NOTICE_ISSUED]
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
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
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

    @router.post("/cases/{case_id}/response")
    def respond(
        request: Request,
        case_id: int,
        session: SessionDep,
        now: NowDep,
        text: Annotated[str, Form(min_length=1, max_length=20000)],
    ) -> Response:
        p = need(request, session, now, (Role.ENTERPRISE,))
        sub = submissions.receive_from(
            session,
            request.app.state.settings.data_dir,
            p,
            kind="case_response",
            content=text.encode("utf-8", "replace"),
            now=now,
            filename=f"case-{case_id}-response.txt",
            content_type="text/plain",
            channel="web",
        )
        sub_id = sub.id
        session.commit()  # the answer is kept before anything judges it
        try:
            case, app_ = visible_case(p, session, case_id)
        except HTTPException as e:
            submissions.finish(
                sub, received=1, accepted=0, errors=[("response", str(e.detail))], outcome="rejected"
            )
            session.commit()
            raise
        actor = flows.Actor(p.actor, p.user_id)
        why: list[str] = []

        def do() -> object:
            try:
                return flows.respond(session, case, text=text, scan_run_id=None, actor=actor, now=now)
            except Exception as e:
                why.append(str(e)[:1000])
                raise

        out = act(request, p, session, case, app_, do)
        row = session.get(Submission, sub_id)
        if row is not None:
            if out.status_code < 400:
                submissions.finish(row, received=1, accepted=1)
            else:
                submissions.finish(
                    row,
                    received=1,
                    accepted=0,
                    errors=[("response", why[0] if why else "refused")],
                    outcome="rejected",
                )
            session.commit()
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

    from apprights.web.supervision_pages import add_routes

    add_routes(router, render, need)
    app.include_router(router)
