"""/api/v1/campaigns: detection campaigns (list with counts; the ministry creates them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException

from apprights.errors import InputError
from apprights.service.campaigns import service
from apprights.service.campaigns.schemas import CampaignIn, CampaignOut, CampaignStats
from apprights.service.cases.flows import Actor
from apprights.service.deps import IdPath, NowDep, Principal, Role, SessionDep, allow
from apprights.service.scope import app_filter

router = APIRouter(tags=["campaigns"])
READERS = (Role.MINISTRY, Role.PROVINCE, Role.AGENCY)


@router.get("/campaigns", response_model=list[CampaignStats])
def list_campaigns(
    session: SessionDep, p: Annotated[Principal, Depends(allow(*READERS))]
) -> list[CampaignStats]:
    """Newest year first, each with its apps, findings and cases (a province: its region's only)."""
    n = service.counts(session, app_filter(p) if p.role is Role.PROVINCE else None)
    out = []
    for c in service.all_campaigns(session):
        k = n.get(c.id, service.Counts())
        out.append(
            CampaignStats(
                **CampaignOut.model_validate(c).model_dump(), apps=k.apps, findings=k.findings, cases=k.cases
            )
        )
    return out


@router.post("/campaigns", response_model=CampaignOut, status_code=201)
def create_campaign(
    body: CampaignIn, session: SessionDep, now: NowDep, p: Annotated[Principal, Depends(allow(Role.MINISTRY))]
) -> CampaignOut:
    try:
        row = service.create(session, body, actor=Actor(p.actor, p.user_id), now=now)
    except InputError as e:
        session.rollback()
        raise HTTPException(409, e.problem) from None
    session.commit()
    return CampaignOut.model_validate(row)


@router.put("/campaigns/{campaign_id}", response_model=CampaignOut)
def update_campaign(
    campaign_id: IdPath,
    body: CampaignIn,
    session: SessionDep,
    now: NowDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY))],
) -> CampaignOut:
    """Correct a campaign (every field as given; each change audited as ``field: old → new``)."""
    try:
        row = service.update(session, campaign_id, body, actor=Actor(p.actor, p.user_id), now=now)
    except InputError as e:
        session.rollback()
        raise HTTPException(409, e.problem) from None
    session.commit()
    return CampaignOut.model_validate(row)
