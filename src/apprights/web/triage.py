"""Triage of 12321 complaints: a reviewer turns a group of complaints about one app into a detection request."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from apprights.service import audit
from apprights.service.apps.models import App
from apprights.service.complaints.models import Complaint, DetectionTask
from apprights.service.db import utc_naive
from apprights.service.deps import Principal
from apprights.service.scope import app_filter


def queued_tasks(session: Session, keys: list[str]) -> dict[str, DetectionTask]:
    rows = session.scalars(
        select(DetectionTask).where(DetectionTask.group_key.in_(keys[:1000])).order_by(DetectionTask.id)
    )
    return {t.group_key: t for t in rows}


def triage(session: Session, p: Principal, key: str, reason: str, now: datetime) -> DetectionTask | None:
    """Queue a detection task for the complaints grouped under ``key`` (one queued task per group: an existing
    one is returned). None when the caller sees no complaint in that group (a province: its region's apps)."""
    where = [Complaint.group_key == key]
    if p.role.value == "province":
        where.append(Complaint.app_id.in_(select(App.id).where(app_filter(p))))
    n, app_id = session.execute(select(func.count(), func.max(Complaint.app_id)).where(*where)).one()
    if not n:
        return None
    queued = session.scalar(
        select(DetectionTask).where(DetectionTask.group_key == key, DetectionTask.status == "queued")
    )
    if queued is not None:
        return queued
    task = DetectionTask(
        group_key=key,
        app_id=app_id,
        reason=(reason.strip() or "人工分诊 / triaged by a reviewer")[:500],
        complaint_count=n,
        status="queued",
        created_at=utc_naive(now),
    )
    session.add(task)
    session.flush()
    audit.record(
        session,
        now=now,
        actor=p.actor,
        actor_id=p.user_id,
        entity="detection_task",
        entity_id=task.id,
        action="triage",
        to_state="queued",
        reason=task.reason,
        evidence=[f"complaints:{key}"],
    )
    return task
