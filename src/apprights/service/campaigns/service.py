"""Campaigns: creation (ministry), lookup for the intake paths, and per-campaign counts in a caller's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from apprights.errors import InputError
from apprights.service import audit
from apprights.service.apps.models import App
from apprights.service.audit.service import Acting
from apprights.service.campaigns.models import Campaign
from apprights.service.campaigns.schemas import CampaignIn
from apprights.service.db import utc_naive
from apprights.service.scans.models import Finding, ScanRun


def create(session: Session, data: CampaignIn, *, actor: Acting, now: datetime) -> Campaign:
    name = data.name.strip()
    if not name:
        raise InputError("campaign", "名称不能为空 / the name is empty")
    if session.scalar(select(Campaign.id).where(Campaign.name == name)) is not None:
        raise InputError("campaign", f"专项行动已存在 / campaign {name!r} exists")
    row = Campaign(
        name=name,
        year=data.year,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        description=data.description,
        created_by=actor.user_id,
        created_at=utc_naive(now),
    )
    session.add(row)
    session.flush()
    audit.record_by(
        session, actor, now=now, entity="campaign", entity_id=row.id, action="create", reason=name
    )
    return row


def resolve(session: Session, campaign_id: int | None) -> int | None:
    """``campaign_id`` when it names a campaign; ``InputError`` for an unknown one; None for none."""
    if campaign_id is None:
        return None
    if session.get(Campaign, campaign_id) is None:
        raise InputError("campaign_id", f"未知专项行动 / unknown campaign {campaign_id}")
    return campaign_id


def all_campaigns(session: Session) -> list[Campaign]:
    return list(
        session.scalars(select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc()).limit(500))
    )


@dataclass(frozen=True)
class Counts:
    apps: int = 0
    findings: int = 0
    cases: int = 0


def counts(session: Session, scope: ColumnElement[bool] | None = None) -> dict[int, Counts]:
    """Per campaign: distinct apps scanned, agency findings, distinct cases those findings opened (``scope``: a
    condition on ``App``, e.g. a province's region). Self-checks never count."""
    runs = select(ScanRun.id, ScanRun.campaign_id, ScanRun.app_id).where(
        ScanRun.campaign_id.is_not(None), ScanRun.self_check.is_(False)
    )
    if scope is not None:
        runs = runs.join(App, App.id == ScanRun.app_id).where(scope)
    r = runs.subquery()
    apps: dict[int, int] = dict(
        session.execute(
            select(r.c.campaign_id, func.count(func.distinct(r.c.app_id))).group_by(r.c.campaign_id)
        ).all()
    )
    per = session.execute(
        select(r.c.campaign_id, func.count(Finding.id), func.count(func.distinct(Finding.case_id)))
        .join(Finding, Finding.scan_run_id == r.c.id)
        .group_by(r.c.campaign_id)
    ).all()
    found = {cid: (n, c) for cid, n, c in per}
    return {
        cid: Counts(apps=n_apps, findings=found.get(cid, (0, 0))[0], cases=found.get(cid, (0, 0))[1])
        for cid, n_apps in apps.items()
    }
