"""Monthly provincial violation leads: the month closes on the 15th (00:00 Beijing time).

A lead for period ``YYYY-MM`` is on time when it arrives before 00:00 on the 15th of that month; after that
it is accepted but flagged late. Leads are matched against existing cases of the same app and problem type.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from apprights.service.apps.models import App
from apprights.service.cases.lifecycle import State
from apprights.service.cases.models import Case
from apprights.service.db import utc_naive
from apprights.service.leads.models import Lead
from apprights.service.leads.schemas import LeadIn, PeriodSummary, ProvinceMonth
from apprights.service.orgs.models import Province
from apprights.service.timeutil import beijing_date, beijing_midnight_utc


def period_of(now: datetime) -> str:
    d = beijing_date(now)
    return f"{d.year:04d}-{d.month:02d}"


def cutoff(period: str, day: int = 15) -> datetime:
    y, m = (int(x) for x in period.split("-"))
    return beijing_midnight_utc(date(y, m, day))


def _matching_case(session: Session, app_id: int | None, problem_type: int) -> int | None:
    if app_id is None:
        return None
    q = select(Case.id).where(
        Case.app_id == app_id,
        Case.problem_type == problem_type,
        Case.state.not_in([str(State.DISMISSED), str(State.WITHDRAWN)]),
    )
    return session.scalars(q.order_by(Case.id.desc())).first()


def submit_lead(
    session: Session, province_code: str, data: LeadIn, *, user_id: int | None, now: datetime, cutoff_day: int
) -> Lead:
    period = data.period or period_of(now)
    app_id = None
    if data.package:
        app_id = session.scalar(select(App.id).where(App.package == data.package))
    if app_id is None:
        app_id = session.scalars(select(App.id).where(App.name == data.app_name).order_by(App.id)).first()
    lead = Lead(
        province_code=province_code,
        period=period,
        app_name=data.app_name,
        package=data.package,
        store_name=data.store_name,
        problem_type=data.problem_type,
        description=data.description,
        submitted_at=utc_naive(now),
        submitted_by=user_id,
        late=utc_naive(now) >= cutoff(period, cutoff_day),
        app_id=app_id,
        duplicate_case_id=_matching_case(session, app_id, data.problem_type),
    )
    session.add(lead)
    session.flush()
    return lead


def refresh_duplicates(session: Session, period: str) -> int:
    """Re-match the period's leads against cases (cases may have opened since); returns the duplicates."""
    n = 0
    for lead in session.scalars(select(Lead).where(Lead.period == period)):
        if lead.app_id is None:
            lead.app_id = session.scalar(
                select(App.id).where(or_(App.package == lead.package, App.name == lead.app_name)).limit(1)
            )
        lead.duplicate_case_id = _matching_case(session, lead.app_id, lead.problem_type)
        n += lead.duplicate_case_id is not None
    session.flush()
    return n


def _distinct(session: Session, period: str) -> int:
    keys = {
        (lead.app_id or lead.package or "".join(lead.app_name.split()).lower(), lead.problem_type)
        for lead in session.scalars(select(Lead).where(Lead.period == period))
    }
    return len(keys)


def period_summary(session: Session, period: str, now: datetime, cutoff_day: int) -> PeriodSummary:
    due = cutoff(period, cutoff_day)
    closed = utc_naive(now) >= due
    dups = refresh_duplicates(session, period)
    counts: dict[str, tuple[int, int]] = {}
    q = (
        select(Lead.province_code, Lead.late, func.count())
        .where(Lead.period == period)
        .group_by(Lead.province_code, Lead.late)
    )
    for code, late, n in session.execute(q).all():
        on_time, late_n = counts.get(code, (0, 0))
        counts[code] = (on_time + n, late_n) if not late else (on_time, late_n + n)
    rows = []
    for prov in session.scalars(select(Province).order_by(Province.code)):
        on_time, late_n = counts.get(prov.code, (0, 0))
        if on_time:
            status = "submitted"
        elif late_n:
            status = "late"
        else:
            status = "missing" if closed else "pending"
        rows.append(
            ProvinceMonth(
                province_code=prov.code,
                name_zh=prov.name_zh,
                leads=on_time + late_n,
                on_time=on_time,
                late=late_n,
                status=status,
            )
        )
    return PeriodSummary(
        period=period,
        cutoff=due,
        closed=closed,
        provinces=rows,
        submitted=[r.province_code for r in rows if r.status == "submitted"],
        late=[r.province_code for r in rows if r.status in ("late", "missing")],
        missing=[r.province_code for r in rows if r.status == "missing"],
        duplicates_of_cases=dups,
        distinct_reports=_distinct(session, period),
    )
