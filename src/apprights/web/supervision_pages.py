"""Pages for 通报 batches, removal orders, monthly leads, complaints and store statistics (server-rendered)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from apprights.errors import InputError
from apprights.service.apps.models import App
from apprights.service.cases.flows import Actor
from apprights.service.cases.lifecycle import State, TransitionError
from apprights.service.cases.models import Case
from apprights.service.complaints import service as complaints
from apprights.service.complaints.models import Complaint
from apprights.service.db import utc_naive
from apprights.service.deps import NowDep, Principal, Role, SessionDep, SettingsDep, writes
from apprights.service.errors import Conflict
from apprights.service.leads import service as leads
from apprights.service.leads.models import Lead
from apprights.service.leads.schemas import LeadIn
from apprights.service.notices import service as notices
from apprights.service.notices.models import Notice, NoticeCase
from apprights.service.scans import selfcheck
from apprights.service.scans.models import Finding, SelfCheck
from apprights.service.scope import app_filter
from apprights.service.security import PiCipher
from apprights.service.stores import platform, supervision
from apprights.service.stores.models import Store
from apprights.service.submissions import service as submissions
from apprights.service.timeutil import beijing_date, beijing_midnight_utc
from apprights.web import triage
from apprights.web.errors import invalid_input

Render = Callable[..., HTMLResponse]
Need = Callable[[Request, Any, Any, tuple[Role, ...]], Principal]
_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
PI_ROLES = (Role.MINISTRY,)


def add_routes(router: APIRouter, render: Render, need: Need) -> None:
    @router.get("/notices/new", response_class=HTMLResponse)
    def new_batch(request: Request, session: SessionDep, now: NowDep, error: str = "") -> Response:
        p = need(request, session, now, (Role.MINISTRY,))
        due = (str(State.NOT_RECTIFIED), str(State.ESCALATED_PUBLIC))
        in_public = select(NoticeCase.case_id).join(Notice, Notice.id == NoticeCase.notice_id)
        q = (
            select(Case, App)
            .join(App, App.id == Case.app_id)
            .where(Case.state.in_(due), Case.id.not_in(in_public.where(Notice.kind == "public")))
            .order_by(Case.id)
            .limit(500)
        )
        drafts = session.scalars(
            select(Notice).where(Notice.kind == "public", Notice.published.is_(False)).order_by(Notice.id)
        ).all()
        return render(
            request, "notice_new.html", p, rows=session.execute(q).all(), drafts=drafts, error=error
        )

    @router.post("/notices/new")
    def create_batch(
        request: Request,
        session: SessionDep,
        now: NowDep,
        settings: SettingsDep,
        case_ids: Annotated[list[int], Form()],
        title: Annotated[str, Form(max_length=300)] = "",
    ) -> Response:
        p = need(request, session, now, (Role.MINISTRY,))
        ids = [i for i in case_ids if 0 < i < 2**31][:2000]
        try:
            n = notices.create_public_batch(
                session,
                ids,
                title=title,
                batch_no="",
                intro="",
                issued_on=None,
                working_days=settings.default_working_days,
                issuer="",
                actor=Actor(p.actor, p.user_id),
                now=now,
            )
        except (InputError, Conflict, TransitionError) as e:
            session.rollback()
            why = e.why if isinstance(e, TransitionError) else str(e)
            return new_batch(request, session, now, error=why)
        session.commit()
        return RedirectResponse(f"/notices/{n.id}", status_code=303)

    @router.get("/notices/{notice_id}", response_class=HTMLResponse)
    def notice_page(request: Request, notice_id: int, session: SessionDep, now: NowDep) -> Response:
        p = need(request, session, now, (Role.MINISTRY,))
        n = session.get(Notice, notice_id) if 0 < notice_id < 2**31 else None
        if n is None:
            raise HTTPException(404, "通知不存在 / no such notice")
        rows = session.execute(
            select(Case, App)
            .join(NoticeCase, NoticeCase.case_id == Case.id)
            .join(App, App.id == Case.app_id)
            .where(NoticeCase.notice_id == n.id)
            .order_by(Case.id)
        ).all()
        return render(request, "notice.html", p, notice=n, rows=rows)

    @router.post("/notices/{notice_id}/publish")
    def publish(request: Request, notice_id: int, session: SessionDep, now: NowDep) -> Response:
        p = need(request, session, now, (Role.MINISTRY,))
        n = session.get(Notice, notice_id) if 0 < notice_id < 2**31 else None
        if n is None:
            raise HTTPException(404, "通知不存在 / no such notice")
        try:
            notices.publish(session, n, actor=Actor(p.actor, p.user_id), now=now)
        except Conflict as e:
            raise HTTPException(409, str(e)) from None
        session.commit()
        return RedirectResponse(f"/notices/{n.id}", status_code=303)

    @router.get("/removal-orders", response_class=HTMLResponse)
    def removal_orders(request: Request, session: SessionDep, now: NowDep) -> Response:
        p = need(request, session, now, (Role.MINISTRY, Role.STORE))
        if p.role is Role.STORE:
            ids = [p.store_id] if p.store_id is not None else []
        else:
            ids = list(session.scalars(select(Store.id).order_by(Store.id)))
        stores = {s.id: s for s in session.scalars(select(Store))}
        rows = supervision.removal_order_rows(session, ids, now=now)
        return render(request, "removal_orders.html", p, rows=rows, stores=stores)

    @router.post("/removal-orders/{notice_id}/confirm")
    def confirm_removal(
        request: Request,
        notice_id: int,
        session: SessionDep,
        now: NowDep,
        note: Annotated[str, Form(max_length=500)] = "",
    ) -> Response:
        p = need(request, session, now, (Role.STORE,))
        if p.store_id is None:
            raise HTTPException(403, "无权访问 / forbidden")
        rc = supervision.confirm_removal(
            session, notice_id, p.store_id, note=note, actor=Actor(p.actor, p.user_id), now=now
        )
        if rc is None:
            raise HTTPException(404, "下架通知不存在 / no such removal order")
        session.commit()
        return RedirectResponse("/removal-orders", status_code=303)

    @router.get("/stores/platform", response_class=HTMLResponse)
    def platform_page(request: Request, session: SessionDep, now: NowDep) -> Response:
        """Cases and findings against a platform: a store its own, the ministry all (provinces: national)."""
        p = need(request, session, now, (Role.MINISTRY, Role.STORE))
        ids = platform.visible_store_ids(p, None)
        cases = session.execute(
            select(Case, App)
            .join(App, App.id == Case.app_id)
            .where(platform.platform_case_clause(ids))
            .order_by(Case.id.desc())
            .limit(500)
        ).all()
        findings = session.execute(
            select(Finding, App)
            .join(App, App.id == Finding.app_id)
            .where(platform.platform_finding_clause(ids))
            .order_by(Finding.id.desc())
            .limit(500)
        ).all()
        stores = {s.id: s for s in session.scalars(select(Store))}
        return render(request, "platform.html", p, cases=cases, findings=findings, stores=stores)

    def _self_check(session: Session, p: Principal, self_check_id: int) -> SelfCheck:
        sc = session.get(SelfCheck, self_check_id) if 0 < self_check_id < 2**31 else None
        if sc is None or (p.role is Role.ENTERPRISE and sc.enterprise_id != p.enterprise_id):
            raise HTTPException(404, "自查不存在 / no such self-check")
        return sc

    @router.get("/self-checks", response_class=HTMLResponse)
    def self_checks_page(request: Request, session: SessionDep, now: NowDep, error: str = "") -> Response:
        """An enterprise's self-checks and the upload form (the ministry sees every enterprise's)."""
        p = need(request, session, now, (Role.ENTERPRISE, Role.MINISTRY))
        q = select(SelfCheck, App).join(App, App.id == SelfCheck.app_id)
        apps: list[App] = []
        if p.role is Role.ENTERPRISE:
            q = q.where(SelfCheck.enterprise_id == p.enterprise_id)
            apps = list(
                session.scalars(select(App).where(App.enterprise_id == p.enterprise_id).order_by(App.package))
            )
        rows = session.execute(q.order_by(SelfCheck.id.desc()).limit(500)).all()
        return render(request, "self_checks.html", p, rows=rows, apps=apps, error=error)

    @router.post("/self-checks")
    def upload_self_check(
        request: Request,
        session: SessionDep,
        now: NowDep,
        settings: SettingsDep,
        app_id: Annotated[int, Form(ge=0, le=2**31 - 1)] = 0,
        apk: UploadFile | None = None,
    ) -> Response:
        p = need(request, session, now, (Role.ENTERPRISE,))  # the role first, then the form
        if apk is None:
            return self_checks_page(request, session, now, error="请选择APK文件 / choose an APK file")
        app = session.get(App, app_id) if app_id else None
        if app is None or p.enterprise_id is None or app.enterprise_id != p.enterprise_id:
            raise HTTPException(404, "应用不存在 / no such app of yours")
        data = apk.file.read(settings.max_apk_bytes + 1)  # a plain def route: this thread may block
        sub = submissions.receive_from(
            session,
            settings.data_dir,
            p,
            kind="self_check_apk",
            content=data,
            now=now,
            filename=apk.filename or f"{app.package}.apk",
            content_type="application/vnd.android.package-archive",
            max_bytes=settings.max_apk_bytes,
            channel="web",
        )
        session.commit()  # recorded before anything judges it
        if len(data) > settings.max_apk_bytes:
            raise HTTPException(413, f"APK过大 / upload larger than {settings.max_apk_bytes} bytes")
        sc = selfcheck.submit(
            session,
            settings.data_dir,
            data,
            app=app,
            enterprise_id=p.enterprise_id,
            user_id=p.user_id,
            now=now,
            max_bytes=settings.max_apk_bytes,
        )
        if sc.status == "rejected":
            submissions.finish(sub, received=1, accepted=0, errors=[("apk", sc.error)], outcome="rejected")
        else:
            submissions.finish(sub, received=1, accepted=1)
        session.commit()
        if sc.status != "rejected":
            request.app.state.self_checks.submit(sc.id)
        return RedirectResponse(f"/self-checks/{sc.id}", status_code=303)

    @router.get("/self-checks/{self_check_id}", response_class=HTMLResponse)
    def self_check_page(request: Request, self_check_id: int, session: SessionDep, now: NowDep) -> Response:
        p = need(request, session, now, (Role.ENTERPRISE, Role.MINISTRY))
        sc = _self_check(session, p, self_check_id)
        findings = (
            session.scalars(
                select(Finding).where(Finding.scan_run_id == sc.scan_run_id).order_by(Finding.id)
            ).all()
            if sc.scan_run_id is not None
            else []
        )
        return render(
            request, "self_check.html", p, sc=sc, app=session.get(App, sc.app_id), findings=findings
        )

    @router.get("/self-checks/{self_check_id}/report", response_class=HTMLResponse)
    def self_check_report(
        request: Request, self_check_id: int, session: SessionDep, now: NowDep, settings: SettingsDep
    ) -> Response:
        p = need(request, session, now, (Role.ENTERPRISE, Role.MINISTRY))
        sc = _self_check(session, p, self_check_id)
        report = selfcheck.stored_report(session, settings.data_dir, sc)
        if report is None:
            raise HTTPException(404, "报告尚未生成 / no report yet")
        from apprights.reports.html_report import render_html

        # the report is rendered by the engine's own template (autoescaped); no script runs on this page
        return HTMLResponse(
            render_html(report),
            headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"},
        )

    @router.get("/leads", response_class=HTMLResponse)
    @writes  # the period summary re-matches leads against cases
    def leads_page(
        request: Request,
        session: SessionDep,
        now: NowDep,
        settings: SettingsDep,
        period: str = "",
        error: str = "",
        status: int = 200,
    ) -> Response:
        """Monthly leads: the ministry sees every province's status against the 15th; a province its own, with
        the form to report a lead."""
        p = need(request, session, now, (Role.MINISTRY, Role.PROVINCE))
        if not _PERIOD.match(period):
            period = leads.period_of(now)
        summary = leads.period_summary(session, period, now, settings.lead_cutoff_day)
        session.commit()
        q = select(Lead).where(Lead.period == period)
        if p.role is Role.PROVINCE:
            q = q.where(Lead.province_code == p.province_code)
            summary.provinces = [r for r in summary.provinces if r.province_code == p.province_code]
        rows = session.scalars(q.order_by(Lead.province_code, Lead.id).limit(1000)).all()
        y, m = (int(x) for x in period.split("-"))
        prev = f"{y - (m == 1):04d}-{(m - 2) % 12 + 1:02d}"
        nxt = f"{y + (m == 12):04d}-{m % 12 + 1:02d}"
        return render(
            request,
            "leads.html",
            p,
            status=status,
            summary=summary,
            leads=rows,
            prev=prev,
            next=nxt,
            error=error,
        )

    @router.post("/leads")
    def submit_lead(
        request: Request,
        session: SessionDep,
        now: NowDep,
        settings: SettingsDep,
        app_name: Annotated[str, Form(max_length=200)],
        problem_type: Annotated[int, Form(ge=1, le=10)],
        description: Annotated[str, Form(max_length=20000)],
        package: Annotated[str, Form(max_length=255)] = "",
        store_name: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        p = need(request, session, now, (Role.PROVINCE,))
        assert p.province_code is not None
        try:
            data = LeadIn.model_validate(
                {
                    "app_name": app_name,
                    "package": package,
                    "store_name": store_name,
                    "problem_type": problem_type,
                    "description": description,
                }
            )
            leads.submit_lead(
                session,
                p.province_code,
                data,
                user_id=p.user_id,
                now=now,
                cutoff_day=settings.lead_cutoff_day,
            )
        except ValidationError as e:
            session.rollback()
            return leads_page(request, session, now, settings, error=invalid_input(e), status=422)
        session.commit()
        return RedirectResponse("/leads", status_code=303)

    @router.get("/complaints", response_class=HTMLResponse)
    def complaints_page(
        request: Request, session: SessionDep, now: NowDep, settings: SettingsDep
    ) -> Response:
        p = need(request, session, now, (Role.MINISTRY, Role.PROVINCE))
        window = settings.complaint_window_days
        since = utc_naive(now) - timedelta(days=window)
        where = [Complaint.app_id.in_(select(App.id).where(app_filter(p)))] if p.role is Role.PROVINCE else []
        recent = func.sum(case((Complaint.received_at >= since, 1), else_=0))
        q = (
            select(Complaint.group_key, func.max(Complaint.app_name), func.count(), recent)
            .where(*where)
            .group_by(Complaint.group_key)
            .order_by(recent.desc(), Complaint.group_key)
            .limit(500)
        )
        groups = [
            {
                "key": k,
                "name": n or k,
                "total": t,
                "recent": int(r or 0),
                "flag": int(r or 0) > settings.complaint_threshold,
            }
            for k, n, t, r in session.execute(q).all()
        ]
        show_pi = p.role in PI_ROLES
        cipher = PiCipher(settings.fernet_key())
        detail: dict[str, list[dict[str, Any]]] = {}
        for c in session.scalars(
            select(Complaint)
            .where(*where, Complaint.received_at >= since)
            .order_by(Complaint.id.desc())
            .limit(2000)
        ):
            contact = complaints.decrypt_contact(cipher, c) if show_pi else None
            detail.setdefault(c.group_key, []).append({"c": c, "contact": contact})
        return render(
            request,
            "complaints.html",
            p,
            tasks=triage.queued_tasks(session, [g["key"] for g in groups]),
            groups=groups,
            detail=detail,
            show_pi=show_pi,
            window=window,
            threshold=settings.complaint_threshold,
        )

    @router.post("/complaints/triage")
    def triage_complaints(
        request: Request,
        session: SessionDep,
        now: NowDep,
        key: Annotated[str, Form(min_length=1, max_length=255)],
        reason: Annotated[str, Form(max_length=500)] = "",
    ) -> Response:
        """Turn the complaints about one app into a detection request (a queued detection task)."""
        p = need(request, session, now, (Role.MINISTRY, Role.PROVINCE))
        if triage.triage(session, p, key, reason, now) is None:
            raise HTTPException(404, "没有该应用的投诉 / no complaints about this app")
        session.commit()
        return RedirectResponse("/complaints", status_code=303)

    @router.get("/stores/stats", response_class=HTMLResponse)
    def store_stats(
        request: Request, session: SessionDep, now: NowDep, since: str = "", until: str = ""
    ) -> Response:
        p = need(request, session, now, (Role.MINISTRY, Role.PROVINCE))
        try:
            end = date.fromisoformat(until) if until else beijing_date(now)
            start = date.fromisoformat(since) if since else end - timedelta(days=89)
        except ValueError:
            raise HTTPException(422, "日期格式应为 YYYY-MM-DD / dates are YYYY-MM-DD") from None
        if start > end:
            raise HTTPException(422, "起始日期晚于结束日期 / since is after until")
        figs = supervision.store_statistics(
            session,
            since=beijing_midnight_utc(start),
            until=beijing_midnight_utc(end + timedelta(days=1)),
            now=now,
        )
        figs.sort(key=lambda f: (-f.problems, -f.findings, f.store_id))
        return render(
            request,
            "store_stats.html",
            p,
            figs=figs,
            since=start,
            until=end,
            total=sum(f.problems for f in figs),
        )
