"""Pages for the test agency (uploads and ingest results), the enterprise (its notices with the deadline counted
down), the store (its ranking) and the public (the 12321 complaint form, rate-limited without a captcha)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from apprights.errors import CalendarError, InputError
from apprights.knowledge.legal import PROBLEM_TYPES
from apprights.service.apps.models import App
from apprights.service.campaigns import service as campaigns
from apprights.service.cases.flows import Actor, build_calendar
from apprights.service.cases.models import Case
from apprights.service.complaints import service as complaints
from apprights.service.complaints.schemas import ComplaintIn
from apprights.service.deps import NowDep, Principal, Role, SessionDep, SettingsDep
from apprights.service.errors import Conflict
from apprights.service.notices import service as notices
from apprights.service.notices.models import Notice, NoticeCase
from apprights.service.security import PiCipher
from apprights.service.stores import supervision
from apprights.service.stores.models import Store
from apprights.service.submissions.models import Submission
from apprights.service.timeutil import beijing_date, beijing_midnight_utc
from apprights.service.workdays import WorkdayCalendar
from apprights.web.ratelimit import RateLimit

Render = Callable[..., HTMLResponse]
Need = Callable[[Request, Any, Any, tuple[Role, ...]], Principal]
Who = Callable[[Request, Any, Any], Principal | None]
COMPLAINTS_PER_HOUR = 5


def working_days_left(cal: WorkdayCalendar, today: date, deadline: date) -> int | None:
    """Working days from tomorrow up to and including ``deadline`` (negative: working days overdue)."""
    try:
        if deadline >= today:
            return sum(
                cal.is_workday(today + timedelta(days=i)) for i in range(1, (deadline - today).days + 1)
            )
        return -sum(
            cal.is_workday(deadline + timedelta(days=i)) for i in range(1, (today - deadline).days + 1)
        )
    except CalendarError:
        return None


def add_role_routes(router: APIRouter, render: Render, need: Need, who: Who) -> None:
    limiter = RateLimit(COMPLAINTS_PER_HOUR, timedelta(hours=1))

    @router.get("/uploads", response_class=HTMLResponse)
    def uploads(request: Request, session: SessionDep, now: NowDep) -> Response:
        """An agency's report uploads (with progress, in static/upload.js) and what the ingest made of each."""
        p = need(request, session, now, (Role.AGENCY, Role.MINISTRY))
        q = select(Submission).where(Submission.kind == "scan_report")
        if p.role is Role.AGENCY:
            q = q.where(Submission.agency_id == p.agency_id)
        rows = session.scalars(q.order_by(Submission.id.desc()).limit(200)).all()
        errors = {s.id: json.loads(s.errors or "[]")[:5] for s in rows}
        stores = session.scalars(select(Store).order_by(Store.name)).all()
        known = campaigns.all_campaigns(session)
        return render(
            request,
            "uploads.html",
            p,
            rows=rows,
            errors=errors,
            stores=stores,
            campaigns=known,
            campaign_names={c.id: c.name for c in known},
        )

    @router.get("/my-notices", response_class=HTMLResponse)
    def my_notices(request: Request, session: SessionDep, now: NowDep) -> Response:
        """The enterprise's notices, each case's deadline counted down in working days."""
        p = need(request, session, now, (Role.ENTERPRISE,))
        own = select(App.id).where(App.enterprise_id == p.enterprise_id)
        rows = session.execute(
            select(Notice, Case, App)
            .join(NoticeCase, NoticeCase.notice_id == Notice.id)
            .join(Case, Case.id == NoticeCase.case_id)
            .join(App, App.id == Case.app_id)
            .where(Case.app_id.in_(own))
            .order_by(Notice.id.desc(), Case.id)
            .limit(500)
        ).all()
        today = beijing_date(now)
        cal = build_calendar(session)
        left = {
            (n.id, c.id): working_days_left(cal, today, c.deadline)
            for n, c, _a in rows
            if c.deadline is not None and c.state == "notice_issued"
        }
        return render(request, "my_notices.html", p, rows=rows, left=left, today=today)

    @router.get("/stores/ranking", response_class=HTMLResponse)
    def ranking(request: Request, session: SessionDep, now: NowDep) -> Response:
        """Stores ranked by problems in published 通报 over the last 90 days (a store sees where it stands)."""
        p = need(request, session, now, (Role.STORE,))
        end = beijing_date(now)
        figs = supervision.store_statistics(
            session,
            since=beijing_midnight_utc(end - timedelta(days=89)),
            until=beijing_midnight_utc(end + timedelta(days=1)),
            now=now,
        )
        figs.sort(key=lambda f: (-f.problems, -f.findings, f.store_id))
        return render(
            request,
            "store_ranking.html",
            p,
            figs=figs,
            mine=p.store_id,
            since=end - timedelta(days=89),
            until=end,
        )

    @router.post("/cases/{case_id}/removal-order")
    def removal_order(request: Request, case_id: int, session: SessionDep, now: NowDep) -> Response:
        p = need(request, session, now, (Role.MINISTRY,))
        case = session.get(Case, case_id) if 0 < case_id < 2**31 else None
        if case is None:
            raise HTTPException(404, "案件不存在 / no such case")
        try:
            n = notices.create_removal_order(
                session,
                [case.id],
                title="",
                issued_on=None,
                issuer="",
                actor=Actor(p.actor, p.user_id),
                now=now,
            )
        except Conflict as e:
            raise HTTPException(409, str(e)) from None
        session.commit()
        return RedirectResponse(f"/notices/{n.id}", status_code=303)

    def complaint_form(request: Request, p: Principal | None, status: int = 200, **ctx: Any) -> Response:
        ctx = {"error": "", "done": 0, "form": {}, **ctx}
        return render(request, "complaint_form.html", p, status=status, types=PROBLEM_TYPES, **ctx)

    @router.get("/public/complaint", response_class=HTMLResponse)
    def complaint_page(request: Request, session: SessionDep, now: NowDep, done: int = 0) -> Response:
        return complaint_form(request, who(request, session, now), done=done if 0 < done < 2**31 else 0)

    @router.post("/public/complaint")
    def file_complaint(
        request: Request,
        session: SessionDep,
        now: NowDep,
        settings: SettingsDep,
        problem_type: Annotated[int, Form(ge=1, le=10)],
        description: Annotated[str, Form(max_length=20000)],
        app_name: Annotated[str, Form(max_length=200)] = "",
        package: Annotated[str, Form(max_length=255)] = "",
        store_name: Annotated[str, Form(max_length=200)] = "",
        name: Annotated[str, Form(max_length=100)] = "",
        phone: Annotated[str, Form(max_length=40)] = "",
        email: Annotated[str, Form(max_length=200)] = "",
        website: Annotated[str, Form(max_length=200)] = "",  # a field people never see: bots fill it
    ) -> Response:
        p = who(request, session, now)
        form = {
            "app_name": app_name,
            "package": package,
            "store_name": store_name,
            "description": description,
        }
        client = request.client.host if request.client else "unknown"
        if website or not limiter.allow(client, now):
            return complaint_form(
                request, p, status=429, form=form,
                error="提交过于频繁，请一小时后再试 / too many complaints from this address; try again in an hour",
            )  # fmt: skip
        try:
            data = ComplaintIn.model_validate(
                {
                    "contact": {"name": name, "phone": phone, "email": email},
                    "app_name": app_name,
                    "package": package,
                    "store_name": store_name,
                    "problem_type": problem_type,
                    "description": description,
                }
            )
            complaint, _task = complaints.intake(
                session,
                data,
                cipher=PiCipher(settings.fernet_key()),
                now=now,
                data_dir=settings.data_dir,
                max_upload_bytes=settings.max_upload_bytes,
                threshold=settings.complaint_threshold,
                window_days=settings.complaint_window_days,
            )
        except ValidationError as e:
            session.rollback()
            why = "; ".join(str(err["msg"]) for err in e.errors()[:3])
            return complaint_form(request, p, status=422, form=form, error=f"输入有误 / invalid input: {why}")
        except InputError as e:
            session.rollback()
            return complaint_form(request, p, status=422, form=form, error=e.problem)
        session.commit()
        return RedirectResponse(f"/public/complaint?done={complaint.id}", status_code=303)
