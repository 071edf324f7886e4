"""Creating a notice row with its cases and audit record (used by ``notices.service`` and by ``cases.flows``,
which orders the removal (下架) whenever a case reaches ``escalated_removal``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from apprights.service import audit
from apprights.service.db import utc_naive
from apprights.service.notices.models import Notice, NoticeCase

DEFAULT_ISSUER = "工业和信息化部信息通信管理局"
REMOVAL_TITLE = "关于下架侵害用户权益APP的通知"


def next_no(session: Session, prefix: str, issued_on: date) -> str:
    stem = f"{prefix}-{issued_on:%Y%m%d}-"
    n = session.scalar(select(func.count()).select_from(Notice).where(Notice.notice_no.like(stem + "%"))) or 0
    return f"{stem}{n + 1:04d}"


def new_notice(
    session: Session,
    kind: str,
    prefix: str,
    *,
    title: str,
    intro: str,
    issuer: str,
    issued_on: date,
    working_days: int,
    deadline: date | None,
    actor: str,
    actor_id: int | None,
    now: datetime,
    case_ids: Sequence[int],
) -> Notice:
    notice = Notice(
        kind=kind,
        notice_no=next_no(session, prefix, issued_on),
        title=title,
        intro=intro,
        issuer=issuer or DEFAULT_ISSUER,
        issued_on=issued_on,
        working_days=working_days,
        deadline=deadline,
        published=False,
        created_by=actor_id,
        created_at=utc_naive(now),
    )
    session.add(notice)
    session.flush()
    for cid in dict.fromkeys(case_ids):
        session.add(NoticeCase(notice_id=notice.id, case_id=cid))
    audit.record(
        session,
        now=now,
        actor=actor,
        actor_id=actor_id,
        entity="notice",
        entity_id=notice.id,
        action=f"issue_{kind}",
        evidence=[f"case:{c}" for c in case_ids],
    )
    session.flush()
    return notice


def has_removal_order(session: Session, case_id: int) -> bool:
    return (
        session.scalar(
            select(Notice.id)
            .join(NoticeCase, NoticeCase.notice_id == Notice.id)
            .where(NoticeCase.case_id == case_id, Notice.kind == "removal")
            .limit(1)
        )
        is not None
    )
