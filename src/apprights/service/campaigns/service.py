"""Campaigns: creation and correction (ministry), lookup for the intake paths, and per-campaign counts in a caller's scope."""

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
from apprights.service.errors import NotFound
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


EDITABLE = ("name", "year", "starts_on", "ends_on", "description")


def update(session: Session, campaign_id: int, data: CampaignIn, *, actor: Acting, now: datetime) -> Campaign:
    """Correct a campaign (a wrong end date, a typo in the name): every field as given; the audit record names
    each change as ``field: old → new``. Its scans, findings and cases stay with it."""
    row = session.get(Campaign, campaign_id)
    if row is None:
        raise NotFound(f"未知专项行动 / unknown campaign {campaign_id}")
    name = data.name.strip()
    if not name:
        raise InputError("campaign", "名称不能为空 / the name is empty")
    clash = session.scalar(select(Campaign.id).where(Campaign.name == name, Campaign.id != campaign_id))
    if clash is not None:
        raise InputError("campaign", f"专项行动已存在 / campaign {name!r} exists")
    new = {**data.model_dump(include=set(EDITABLE)), "name": name}
    changes = [f"{k}: {getattr(row, k)!s} → {new[k]!s}" for k in EDITABLE if getattr(row, k) != new[k]]
    if not changes:
        return row
    for k in EDITABLE:
        setattr(row, k, new[k])
    session.flush()
    audit.record_by(
        session,
        actor,
        now=now,
        entity="campaign",
        entity_id=row.id,
        action="update",
        reason="; ".join(changes)[:2000],
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
    """Per campaign: distinct apps scanned, findings reported, distinct cases those findings opened (``scope``: a
    condition on ``App``, e.g. a province's region). Self-checks never count.

    Read from the scan runs (their ``finding_count``) and from the findings that have a case (the ``case_id``
    index): never a pass over every finding, which costs half a second at 200,000 findings."""
    runs = (
        select(
            ScanRun.campaign_id,
            func.count(func.distinct(ScanRun.app_id)),
            func.coalesce(func.sum(ScanRun.finding_count), 0),
        )
        .where(ScanRun.campaign_id.is_not(None), ScanRun.self_check.is_(False))
        .group_by(ScanRun.campaign_id)
    )
    # SQLite: "+ 0" keeps its planner on the case_id index (few rows) instead of every finding of every run
    run_col = Finding.scan_run_id + 0 if session.get_bind().dialect.name == "sqlite" else Finding.scan_run_id
    cases = (
        select(ScanRun.campaign_id, func.count(func.distinct(Finding.case_id)))
        .select_from(Finding)
        .join(ScanRun, ScanRun.id == run_col)
        .where(Finding.case_id > 0, ScanRun.campaign_id.is_not(None), ScanRun.self_check.is_(False))
        .group_by(ScanRun.campaign_id)
    )
    if scope is not None:
        runs = runs.join(App, App.id == ScanRun.app_id).where(scope)
        cases = cases.join(App, App.id == ScanRun.app_id).where(scope)
    opened: dict[int, int] = {int(cid): n for cid, n in session.execute(cases).all() if cid is not None}
    return {
        int(cid): Counts(apps=n_apps, findings=int(n_found), cases=opened.get(int(cid), 0))
        for cid, n_apps, n_found in session.execute(runs).all()
        if cid is not None
    }
