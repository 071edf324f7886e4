"""The regulator's working pages: the dashboard (charts, trend, deadline board) and the findings review queue
with filters, sorting, keyset paging and bulk confirm/dismiss."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select

from apprights.errors import InputError
from apprights.service.apps.models import App
from apprights.service.campaigns import service as campaigns
from apprights.service.cases import flows
from apprights.service.cases.models import Case
from apprights.service.deps import NowDep, Principal, Role, SessionDep
from apprights.service.errors import Conflict
from apprights.service.notices.models import Notice
from apprights.service.orgs.models import Province
from apprights.service.scans.models import Finding, ScanRun
from apprights.service.scope import app_filter, case_filter
from apprights.service.stores import supervision
from apprights.service.stores.models import Store
from apprights.web import review
from apprights.web.dashboard import ChartCache, deadline_board

Render = Callable[..., HTMLResponse]
Need = Callable[[Request, Any, Any, tuple[Role, ...]], Principal]
Who = Callable[[Request, Any, Any], Principal | None]
STAFF = (Role.MINISTRY, Role.PROVINCE)
PAGE = 50
BULK_MAX = 500


def add_console_routes(router: APIRouter, render: Render, need: Need, who: Who) -> None:
    charts = ChartCache()

    @router.get("/", response_class=HTMLResponse)
    def dashboard(request: Request, session: SessionDep, now: NowDep, campaign: str = "") -> Response:
        p = who(request, session, now)
        if p is None:
            return RedirectResponse("/public/notices", status_code=303)
        ctx: dict[str, Any] = {}
        if p.role in STAFF:
            known = campaigns.all_campaigns(session)
            cid = int(campaign) if campaign.isdigit() and int(campaign) in {c.id for c in known} else 0
            ctx["charts"] = json.dumps(charts.get(session, p, now, cid or None), ensure_ascii=False)
            ctx["board"] = deadline_board(session, p, now, cid or None)
            ctx["campaigns"] = known
            ctx["campaign"] = cid
        ctx["cards"] = _cards(session, p, now)
        return render(request, "dashboard.html", p, **ctx)

    def _cards(session: SessionDep, p: Principal, now: Any) -> list[tuple[str, str, int | str, str]]:
        """(zh, en, number, link) cards for the role's dashboard."""

        def count(q: Any) -> int:
            return int(session.scalar(q) or 0)

        if p.role in STAFF or p.role is Role.ENTERPRISE:
            apps = count(select(func.count()).select_from(App).where(app_filter(p)))
            open_cases = count(select(func.count()).select_from(Case).where(case_filter(p)))
            out: list[tuple[str, str, int | str, str]] = [
                ("应用", "Apps", apps, "/apps"),
                ("案件", "Cases", open_cases, "/cases"),
            ]
            if p.role in STAFF:
                pending = review.total(session, p, review.Filters(status="pending"))  # capped count
                shown = f"{review.COUNT_CAP}+" if pending > review.COUNT_CAP else pending
                out.insert(0, ("待审核问题", "Findings awaiting review", shown, "/findings"))
            else:
                waiting = count(
                    select(func.count())
                    .select_from(Case)
                    .where(case_filter(p), Case.state == "notice_issued")
                )
                out.append(
                    ("待反馈整改通知", "Notices awaiting your answer", waiting, "/cases?state=notice_issued")
                )
            return out
        if p.role is Role.STORE:
            ids = [p.store_id] if p.store_id is not None else []
            rows = supervision.removal_order_rows(session, ids, now=now)
            todo = sum(1 for r in rows if r.confirmed_at is None)
            return [
                ("下架通知", "Removal orders", len(rows), "/removal-orders"),
                ("待确认", "To confirm", todo, "/removal-orders"),
            ]
        if p.role is Role.AGENCY:
            runs = count(select(func.count()).select_from(ScanRun).where(ScanRun.agency_id == p.agency_id))
            published = count(select(func.count()).select_from(Notice).where(Notice.published.is_(True)))
            return [
                ("已提交检测结果", "Scan results submitted", runs, "/"),
                ("已发布通报", "Published notices", published, "/public/notices"),
            ]
        return []

    @router.get("/findings", response_class=HTMLResponse)
    def findings_page(
        request: Request, session: SessionDep, now: NowDep, sort: str = "new", after: str = "", done: str = ""
    ) -> Response:
        p = need(request, session, now, STAFF)
        filters = review.Filters.parse(dict(request.query_params))
        sort = sort if sort in review.SORTS else "new"
        rows, nxt = review.page(session, p, filters, sort, after[:40], PAGE)
        q = filters.query()
        return render(
            request,
            "findings.html",
            p,
            rows=rows,
            next_url="/findings?" + urlencode({**q, "sort": sort, "after": nxt}) if nxt else "",
            first_url="/findings?" + urlencode({**q, "sort": sort}),
            back="/findings?" + urlencode({**q, "sort": sort, "after": after[:40]}),
            total=review.total(session, p, filters),
            f=filters,
            sort=sort,
            sorts=review.SORTS,
            statuses=review.STATUSES,
            severities=review.SEVERITIES,
            confidences=review.CONFIDENCES,
            sdks=review.sdk_options(session),
            count_cap=review.COUNT_CAP,
            stores=session.scalars(select(Store).order_by(Store.name)).all(),
            provinces=session.scalars(select(Province).order_by(Province.code)).all(),
            campaigns=campaigns.all_campaigns(session),
            done=done[:200],
        )

    @router.post("/findings/bulk")
    def bulk_review(
        request: Request,
        session: SessionDep,
        now: NowDep,
        decision: Annotated[str, Form(pattern="^(confirm|dismiss)$")],
        ids: Annotated[list[int], Form()] = [],  # noqa: B006 (FastAPI copies form defaults)
        reason: Annotated[str, Form(max_length=1000)] = "",
        back: Annotated[str, Form(max_length=2000)] = "/findings",
    ) -> Response:
        """Confirm or dismiss the ticked findings, each through the same flow as one review (a dismissal needs
        a reason); findings another reviewer already handled are reported, not re-reviewed."""
        p = need(request, session, now, STAFF)
        back = back if back.startswith("/findings") else "/findings"
        picked = sorted({i for i in ids if 0 < i < 2**31})[:BULK_MAX]
        sep = "&" if "?" in back else "?"
        if not picked:
            return RedirectResponse(f"{back}{sep}done=none", status_code=303)
        if decision == "dismiss" and not reason.strip():
            raise InputError("review", "排除须说明理由 / dismissing needs a reason")
        visible = select(App.id).where(app_filter(p))
        found = session.scalars(
            select(Finding).where(Finding.id.in_(picked), Finding.app_id.in_(visible)).order_by(Finding.id)
        ).all()
        actor = flows.Actor(p.actor, p.user_id)
        ok, skipped = 0, 0
        for f in found:
            try:
                with session.begin_nested():
                    flows.review_finding(
                        session, f, confirm=decision == "confirm", reason=reason, actor=actor, now=now
                    )
                ok += 1
            except Conflict:
                skipped += 1
        session.commit()
        skipped += len(picked) - len(found)
        return RedirectResponse(f"{back}{sep}done={decision}:{ok}:{skipped}", status_code=303)
