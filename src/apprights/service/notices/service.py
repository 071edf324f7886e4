"""Issuing notices from cases and turning them into the regulator's documents."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from apprights.errors import InputError
from apprights.knowledge.legal import PROBLEM_TYPES
from apprights.service import audit
from apprights.service.apps.models import App, AppVersion
from apprights.service.cases import flows
from apprights.service.cases.flows import Actor
from apprights.service.cases.lifecycle import State
from apprights.service.cases.models import Case
from apprights.service.db import utc_naive
from apprights.service.documents import (
    NoticeProblem,
    PublicNotice,
    PublicNoticeRow,
    RectificationNotice,
    RemovalOrder,
    RemovalRow,
)
from apprights.service.errors import Conflict
from apprights.service.notices import issue, snapshot
from apprights.service.notices.models import Notice, NoticeCase, NoticeSnapshot
from apprights.service.orgs.models import Enterprise
from apprights.service.scans.models import Finding
from apprights.service.stores.models import Store
from apprights.service.timeutil import beijing_date
from apprights.service.workdays import working_day_deadline

DEFAULT_ISSUER = issue.DEFAULT_ISSUER
Document = RectificationNotice | PublicNotice | RemovalOrder


def _new_notice(session: Session, kind: str, prefix: str, *, actor: Actor, **kw: Any) -> Notice:
    return issue.new_notice(session, kind, prefix, actor=actor.name, actor_id=actor.user_id, **kw)


def issue_rectification(
    session: Session,
    case: Case,
    *,
    actor: Actor,
    now: datetime,
    issued_on: date | None,
    working_days: int,
    issuer: str = "",
) -> Notice:
    """A rectification notice to the enterprise; the deadline is ``working_days`` Chinese working days later."""
    issued = issued_on or beijing_date(now)
    deadline = flows.set_deadline(session, case, issued, working_days)
    notice = _new_notice(
        session,
        "rectification",
        "ZG",
        title="关于APP侵害用户权益问题的整改通知",
        intro="",
        issuer=issuer,
        issued_on=issued,
        working_days=working_days,
        deadline=deadline,
        actor=actor,
        now=now,
        case_ids=[case.id],
    )
    flows.transition(
        session,
        case,
        State.NOTICE_ISSUED,
        actor=actor,
        now=now,
        reason=f"整改期限 {deadline.isoformat()}（{working_days}个工作日）/ due {deadline.isoformat()}",
        evidence=[f"notice:{notice.id}"],
    )
    return notice


def _load_cases(session: Session, case_ids: Sequence[int]) -> list[Case]:
    cases = list(session.scalars(select(Case).where(Case.id.in_(list(case_ids))).order_by(Case.id)))
    missing = set(case_ids) - {c.id for c in cases}
    if missing:
        raise InputError("case_ids", f"未知案件 / unknown cases {sorted(missing)[:10]}")
    return cases


def create_public_batch(
    session: Session,
    case_ids: Sequence[int],
    *,
    title: str,
    batch_no: str,
    intro: str,
    issued_on: date | None,
    working_days: int,
    issuer: str,
    actor: Actor,
    now: datetime,
) -> Notice:
    """A 通报 batch (draft until published) of cases that were not rectified."""
    cases = _load_cases(session, case_ids)
    for c in cases:
        if c.state == str(State.NOT_RECTIFIED):
            flows.transition(
                session, c, State.ESCALATED_PUBLIC, actor=actor, now=now, reason="列入通报 / in 通报"
            )
        elif c.state != str(State.ESCALATED_PUBLIC):
            raise Conflict(f"案件 #{c.id} 状态为 {c.state}，不能通报 / case is not due for a public notice")
    issued = issued_on or beijing_date(now)
    deadline = working_day_deadline(issued, working_days, flows.build_calendar(session))
    title = title or "关于侵害用户权益行为的APP通报"
    intro = intro or (
        f"以下APP存在侵害用户权益行为，尚未完成整改。上述APP应在{deadline.year}年{deadline.month}月{deadline.day}日前"
        "完成整改落实工作，逾期不整改的，将依法依规组织开展相关处置工作。"
    )
    notice = _new_notice(
        session,
        "public",
        "TB",
        title=title,
        intro=intro,
        issuer=issuer,
        issued_on=issued,
        working_days=working_days,
        deadline=deadline,
        actor=actor,
        now=now,
        case_ids=[c.id for c in cases],
    )
    if batch_no:
        notice.notice_no = (
            batch_no
            if session.scalar(select(Notice.id).where(Notice.notice_no == batch_no)) is None
            else notice.notice_no
        )
    return notice


def create_removal_order(
    session: Session,
    case_ids: Sequence[int],
    *,
    title: str,
    issued_on: date | None,
    issuer: str,
    actor: Actor,
    now: datetime,
) -> Notice:
    """A removal (下架) order to the stores for cases in a 通报 (moved to ``escalated_removal``) or already there."""
    cases = _load_cases(session, case_ids)
    for c in cases:
        if c.state not in (str(State.ESCALATED_PUBLIC), str(State.ESCALATED_REMOVAL)):
            raise Conflict(f"案件 #{c.id} 状态为 {c.state}，不能下架 / case is not due for removal")
    issued = issued_on or beijing_date(now)
    notice = _new_notice(
        session,
        "removal",
        "XJ",
        title=title or issue.REMOVAL_TITLE,
        intro="",
        issuer=issuer,
        issued_on=issued,
        working_days=0,
        deadline=None,
        actor=actor,
        now=now,
        case_ids=[c.id for c in cases],
    )
    for c in cases:  # the order exists first, so the transition does not order the removal a second time
        if c.state == str(State.ESCALATED_PUBLIC):
            flows.transition(
                session,
                c,
                State.ESCALATED_REMOVAL,
                actor=actor,
                now=now,
                reason="下架 / removal order",
                evidence=[f"notice:{notice.id}"],
            )
    return notice


def publish(session: Session, notice: Notice, *, actor: Actor, now: datetime) -> None:
    if notice.kind == "rectification":
        raise Conflict("整改通知不公开 / rectification notices are not published")
    if notice.published:
        return
    notice.published = True
    notice.published_at = utc_naive(now)
    if notice.kind == "public" and notice.deadline is not None:
        for c in session.scalars(
            select(Case)
            .join(NoticeCase, NoticeCase.case_id == Case.id)
            .where(NoticeCase.notice_id == notice.id, Case.state == str(State.ESCALATED_PUBLIC))
        ):
            c.deadline = notice.deadline
    snap = snapshot.take(session, notice.id, _live_document(session, notice), now)
    audit.record_by(
        session,
        actor,
        now=now,
        entity="notice",
        entity_id=notice.id,
        action="publish",
        evidence=[f"html_sha256:{snap.html_sha256}"]
        + ([f"pdf_sha256:{snap.pdf_sha256}"] if snap.pdf_sha256 else []),
    )
    session.flush()


def case_ids_of(session: Session, notice_id: int) -> list[int]:
    return list(
        session.scalars(
            select(NoticeCase.case_id).where(NoticeCase.notice_id == notice_id).order_by(NoticeCase.case_id)
        )
    )


def _evidence_lines(raw: str) -> list[str]:
    try:
        items = json.loads(raw)
    except ValueError:
        return []
    out = []
    for it in items if isinstance(items, list) else []:
        if isinstance(it, dict):
            src = it.get("source", "")
            rest = "; ".join(f"{k}={v}" for k, v in it.items() if k != "source")
            out.append(f"{src}: {rest}"[:300])
        else:
            out.append(str(it)[:300])
    return out


def _case_rows(
    session: Session, notice_id: int
) -> list[tuple[Case, App, AppVersion, Enterprise | None, Store | None]]:
    rows: list[tuple[Case, App, AppVersion, Enterprise | None, Store | None]] = []
    q: Any = (
        select(Case, App, AppVersion, Enterprise, Store)
        .join(NoticeCase, NoticeCase.case_id == Case.id)
        .join(App, App.id == Case.app_id)
        .join(AppVersion, AppVersion.id == Case.app_version_id)
        .outerjoin(Enterprise, Enterprise.id == App.enterprise_id)
        .outerjoin(Store, Store.id == Case.store_id)
        .where(NoticeCase.notice_id == notice_id)
        .order_by(Case.id)
    )
    for c, a, v, e, s in session.execute(q).all():
        rows.append((c, a, v, e, s))
    return rows


def build_document(session: Session, notice: Notice) -> Document:
    """The notice's document: as frozen at publication when published, else from the current data."""
    snap = session.get(NoticeSnapshot, notice.id)
    if snap is not None:
        return snapshot.thaw(snap.document)
    return _live_document(session, notice)


def _live_document(session: Session, notice: Notice) -> Document:
    rows = _case_rows(session, notice.id)
    if notice.kind == "rectification":
        _case, app, ver, ent, store = rows[0]
        problems: list[NoticeProblem] = []
        for c, *_ in rows:
            for f in session.scalars(
                select(Finding)
                .where(Finding.case_id == c.id, Finding.status == "confirmed")
                .order_by(Finding.id)
            ):
                problems.append(
                    NoticeProblem(
                        problem_type=f.problem_type,
                        label_zh=PROBLEM_TYPES[f.problem_type][0],
                        title_zh=f.title_zh or f.rule,
                        evidence=_evidence_lines(f.evidence),
                    )
                )
        assert notice.deadline is not None
        return RectificationNotice(
            notice_no=notice.notice_no,
            issued_on=notice.issued_on,
            deadline=notice.deadline,
            enterprise_name=ent.name if ent else app.developer,
            enterprise_uscc=ent.uscc if ent else "",
            app_name=app.name or app.package,
            package=app.package,
            version=ver.version_name,
            store=store.name if store else "",
            issuer=notice.issuer,
            problems=problems,
        )
    if notice.kind == "public":
        return PublicNotice(
            title=notice.title,
            batch_no=notice.notice_no,
            issued_on=notice.issued_on,
            intro=notice.intro,
            issuer=notice.issuer,
            rows=[
                PublicNoticeRow(
                    app_name=a.name or a.package,
                    developer=e.name if e else a.developer,
                    store=s.name if s else "",
                    version=v.version_name,
                    problems=[PROBLEM_TYPES[c.problem_type][0]],
                )
                for c, a, v, e, s in rows
            ],
        )
    removal_rows = dict.fromkeys(
        (a.name or a.package, e.name if e else a.developer, v.version_name) for c, a, v, e, s in rows
    )
    return RemovalOrder(
        title=notice.title,
        issued_on=notice.issued_on,
        issuer=notice.issuer,
        intro=notice.intro,
        rows=[RemovalRow(app_name=n, enterprise=en, version=ver) for n, en, ver in removal_rows],
    )
