"""The campaigns page (专项行动): every campaign with its apps, findings and cases (a province: its region's),
links into the review queue and the dashboard filtered by it; the ministry creates and corrects campaigns here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field, ValidationError

from apprights.errors import InputError
from apprights.service.campaigns import service as campaigns
from apprights.service.campaigns.models import Campaign
from apprights.service.campaigns.schemas import CampaignIn
from apprights.service.cases.flows import Actor
from apprights.service.deps import IdPath, NowDep, Principal, Role, SessionDep
from apprights.service.errors import NotFound
from apprights.service.scope import app_filter
from apprights.web.errors import invalid_input

Render = Callable[..., HTMLResponse]
Need = Callable[[Request, Any, Any, tuple[Role, ...]], Principal]
READERS = (Role.MINISTRY, Role.PROVINCE, Role.AGENCY)


class CampaignForm(BaseModel):
    """The create and edit forms' fields, as posted (validated as ``CampaignIn``)."""

    name: str = Field(max_length=200)
    year: str = Field(max_length=4)
    starts_on: str = Field(max_length=10)
    ends_on: str = Field(default="", max_length=10)
    description: str = Field(default="", max_length=5000)

    def fields(self) -> dict[str, Any]:
        return {**self.model_dump(), "name": self.name.strip(), "ends_on": self.ends_on or None}


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
    def edit_campaign_page(
        campaign_id: IdPath, request: Request, session: SessionDep, now: NowDep
    ) -> Response:
        p = need(request, session, now, (Role.MINISTRY,))
        row = session.get(Campaign, campaign_id)
        if row is None:
            raise NotFound(f"未知专项行动 / unknown campaign {campaign_id}")
        return edit_form(request, p, row)

    def save(session: Any, p: Principal, now: Any, form: CampaignForm, campaign_id: int | None = None) -> str:
        """Create (``campaign_id`` None) or correct a campaign from the form; "" when saved, else the error the
        page shows (the transaction rolled back)."""
        try:
            data = CampaignIn.model_validate(form.fields())
            actor = Actor(p.actor, p.user_id)
            if campaign_id is None:
                campaigns.create(session, data, actor=actor, now=now)
            else:
                campaigns.update(session, campaign_id, data, actor=actor, now=now)
        except ValidationError as e:
            session.rollback()
            return invalid_input(e)
        except InputError as e:
            session.rollback()
            return e.problem
        session.commit()
        return ""

    @router.post("/campaigns/{campaign_id}")
    def edit_campaign(
        campaign_id: IdPath,
        request: Request,
        session: SessionDep,
        now: NowDep,
        form: Annotated[CampaignForm, Form()],
    ) -> Response:
        p = need(request, session, now, (Role.MINISTRY,))
        row = session.get(Campaign, campaign_id)
        if row is None:
            raise NotFound(f"未知专项行动 / unknown campaign {campaign_id}")
        error = save(session, p, now, form, campaign_id)
        return (
            edit_form(request, p, row, error=error)
            if error
            else RedirectResponse("/campaigns", status_code=303)
        )

    @router.post("/campaigns")
    def create_campaign(
        request: Request, session: SessionDep, now: NowDep, form: Annotated[CampaignForm, Form()]
    ) -> Response:
        p = need(request, session, now, (Role.MINISTRY,))
        error = save(session, p, now, form)
        return (
            page(request, session, p, now, error=error)
            if error
            else RedirectResponse("/campaigns", status_code=303)
        )
