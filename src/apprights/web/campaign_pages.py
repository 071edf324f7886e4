"""The campaigns page (专项行动): every campaign with its apps, findings and cases (a province: its region's),
links into the review queue and the dashboard filtered by it; the ministry creates and corrects campaigns here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from apprights.errors import InputError
from apprights.service.campaigns import service as campaigns
from apprights.service.campaigns.models import Campaign
from apprights.service.campaigns.schemas import CampaignIn
from apprights.service.cases.flows import Actor
from apprights.service.deps import IdPath, NowDep, Principal, Role, SessionDep
from apprights.service.errors import NotFound
from apprights.service.scope import app_filter

Render = Callable[..., HTMLResponse]
Need = Callable[[Request, Any, Any, tuple[Role, ...]], Principal]
READERS = (Role.MINISTRY, Role.PROVINCE, Role.AGENCY)


def add_campaign_routes(router: APIRouter, render: Render, need: Need) -> None:
    def page(request: Request, session: SessionDep, p: Principal, now: Any, error: str = "") -> Response:
        counts = campaigns.counts(session, app_filter(p) if p.role is Role.PROVINCE else None)
        rows = [(c, counts.get(c.id, campaigns.Counts())) for c in campaigns.all_campaigns(session)]
        return render(
            request,
            "campaigns.html",
            p,
            status=422 if error else 200,
            rows=rows,
            error=error,
            this_year=now.year,
            today=date(now.year, now.month, now.day).isoformat(),
        )

    @router.get("/campaigns", response_class=HTMLResponse)
    def campaigns_page(request: Request, session: SessionDep, now: NowDep) -> Response:
        return page(request, session, need(request, session, now, READERS), now)

    def edit_form(request: Request, p: Principal, row: Campaign, error: str = "") -> Response:
        return render(request, "campaign_edit.html", p, status=422 if error else 200, c=row, error=error)

    @router.get("/campaigns/{campaign_id}/edit", response_class=HTMLResponse)
    def edit_campaign_page(campaign_id: IdPath, request: Request, session: SessionDep, now: NowDep) -> Response:
        p = need(request, session, now, (Role.MINISTRY,))
        row = session.get(Campaign, campaign_id)
        if row is None:
            raise NotFound(f"未知专项行动 / unknown campaign {campaign_id}")
        return edit_form(request, p, row)

    @router.post("/campaigns/{campaign_id}")
    def edit_campaign(
        campaign_id: IdPath,
        request: Request,
        session: SessionDep,
        now: NowDep,
        name: Annotated[str, Form(max_length=200)],
        year: Annotated[str, Form(max_length=4)],
        starts_on: Annotated[str, Form(max_length=10)],
        ends_on: Annotated[str, Form(max_length=10)] = "",
        description: Annotated[str, Form(max_length=5000)] = "",
    ) -> Response:
        p = need(request, session, now, (Role.MINISTRY,))
        row = session.get(Campaign, campaign_id)
        if row is None:
            raise NotFound(f"未知专项行动 / unknown campaign {campaign_id}")
        raw = {"name": name.strip(), "year": year, "starts_on": starts_on, "ends_on": ends_on or None}
        try:
            data = CampaignIn.model_validate({**raw, "description": description})
            campaigns.update(session, campaign_id, data, actor=Actor(p.actor, p.user_id), now=now)
        except ValidationError as e:
            session.rollback()
            why = "; ".join(f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}" for err in e.errors()[:3])
            return edit_form(request, p, row, error=f"输入有误 / invalid input: {why}")
        except InputError as e:
            session.rollback()
            return edit_form(request, p, row, error=e.problem)
        session.commit()
        return RedirectResponse("/campaigns", status_code=303)

    @router.post("/campaigns")
    def create_campaign(
        request: Request,
        session: SessionDep,
        now: NowDep,
        name: Annotated[str, Form(max_length=200)],
        year: Annotated[str, Form(max_length=4)],
        starts_on: Annotated[str, Form(max_length=10)],
        ends_on: Annotated[str, Form(max_length=10)] = "",
        description: Annotated[str, Form(max_length=5000)] = "",
    ) -> Response:
        p = need(request, session, now, (Role.MINISTRY,))
        raw = {
            "name": name.strip(),
            "year": year,
            "starts_on": starts_on,
            "ends_on": ends_on or None,
            "description": description,
        }
        try:
            campaigns.create(
                session, CampaignIn.model_validate(raw), actor=Actor(p.actor, p.user_id), now=now
            )
        except ValidationError as e:
            session.rollback()
            why = "; ".join(f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}" for err in e.errors()[:3])
            return page(request, session, p, now, error=f"输入有误 / invalid input: {why}")
        except InputError as e:
            session.rollback()
            return page(request, session, p, now, error=e.problem)
        session.commit()
        return RedirectResponse("/campaigns", status_code=303)
