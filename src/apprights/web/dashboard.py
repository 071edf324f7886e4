"""What the ministry's and a province's dashboard shows: counts for the charts, the monthly trend, and the
deadline board (cases due today / overdue / due within the next five Chinese working days)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, true
from sqlalchemy.orm import Session

from apprights.errors import CalendarError
from apprights.knowledge.legal import PROBLEM_TYPES
from apprights.service.apps.models import App
from apprights.service.cases.flows import build_calendar
from apprights.service.cases.lifecycle import State
from apprights.service.cases.models import Case
from apprights.service.deps import Principal, Role
from apprights.service.orgs.models import Province
from apprights.service.scans.models import Finding, ScanRun
from apprights.service.scope import app_filter, case_filter
from apprights.service.stores.models import Store
from apprights.service.timeutil import beijing_date
from apprights.service.workdays import working_day_deadline

WAITING = (str(State.NOTICE_ISSUED),)  # the enterprise owes an answer by the deadline
BOARD_LIMIT = 50


@dataclass
class Board:
    today: date
    week_end: date | None
    due_today: list[tuple[Case, App]] = field(default_factory=list)
    overdue: list[tuple[Case, App]] = field(default_factory=list)
    this_week: list[tuple[Case, App]] = field(default_factory=list)
    error: str = ""


def _month(session: Session, col: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(col, "YYYY-MM")
    return func.strftime("%Y-%m", col)


def _visible_findings(p: Principal) -> ColumnElement[bool]:
    if p.role is Role.MINISTRY:
        return true()
    return Finding.app_id.in_(select(App.id).where(app_filter(p)))


def _visible_runs(p: Principal) -> ColumnElement[bool]:
    if p.role is Role.MINISTRY:
        return true()
    return ScanRun.app_id.in_(select(App.id).where(app_filter(p)))


def campaign_runs(campaign_id: int) -> Any:
    return select(ScanRun.id).where(ScanRun.campaign_id == campaign_id)


def _campaign_cases(campaign_id: int | None, hint: bool = False) -> ColumnElement[bool]:
    """Cases opened by findings of the campaign's scan runs (every case without a campaign). From the findings
    that have a case (the ``case_id`` index), not from every finding of the campaign."""
    if campaign_id is None:
        return true()
    # SQLite ("hint"): "+ 0" stops the planner from walking every finding of the campaign's runs through the
    # (scan_run_id, fingerprint) index; it starts from the few findings that have a case instead
    run_col = Finding.scan_run_id + 0 if hint else Finding.scan_run_id
    found = (
        select(Finding.case_id)
        .join(ScanRun, ScanRun.id == run_col)
        .where(Finding.case_id > 0, ScanRun.campaign_id == campaign_id)
    )
    return Case.id.in_(found)


def chart_data(
    session: Session, p: Principal, now: datetime, campaign_id: int | None = None
) -> dict[str, Any]:
    """Series for the four bar charts and the trend line (names in Chinese and English), of one campaign's
    scan runs, findings and cases when ``campaign_id`` is given."""
    seen = _visible_findings(p)
    if campaign_id is not None:
        # SQLite: "+ 0" keeps the one sequential pass (as without a campaign) instead of an index probe per run
        run_col = (
            Finding.scan_run_id + 0 if session.get_bind().dialect.name == "sqlite" else Finding.scan_run_id
        )
        seen = and_(seen, run_col.in_(campaign_runs(campaign_id)))
    of_campaign = _campaign_cases(campaign_id, session.get_bind().dialect.name == "sqlite")
    runs_seen = _visible_runs(p)
    if campaign_id is not None:
        runs_seen = and_(runs_seen, ScanRun.campaign_id == campaign_id)
    live = Finding.status != "dismissed"
    by_type = dict(
        session.execute(
            select(Finding.problem_type, func.count()).where(seen, live).group_by(Finding.problem_type)
        ).all()
    )
    top_sdks = session.execute(
        select(func.max(Finding.subject_name), func.count())
        .where(seen, live, Finding.subject_kind == "sdk")
        .group_by(Finding.subject_key)
        .order_by(func.count().desc())
        .limit(15)
    ).all()
    types = [
        {
            "name": f"T{t} {PROBLEM_TYPES[t][0]}",
            "en": f"T{t} {PROBLEM_TYPES[t][1]}",
            "value": by_type.get(t, 0),
        }
        for t in sorted(PROBLEM_TYPES)
    ]
    names: dict[Any, str] = dict(session.execute(select(Province.code, Province.name_zh)).all())
    by_province = session.execute(
        select(Case.province_code, func.count())
        .where(case_filter(p), of_campaign, Case.province_code.is_not(None))
        .group_by(Case.province_code)
        .order_by(func.count().desc())
        .limit(15)
    ).all()
    stores: dict[Any, str] = dict(session.execute(select(Store.id, Store.name)).all())
    by_store = session.execute(
        select(Case.store_id, func.count())
        .where(case_filter(p), of_campaign, Case.store_id.is_not(None))
        .group_by(Case.store_id)
        .order_by(func.count().desc())
        .limit(15)
    ).all()
    since = datetime(now.year - 1, now.month, 1)
    month = _month(session, ScanRun.received_at)
    trend_findings: dict[str, Any] = dict(
        session.execute(
            select(month, func.sum(ScanRun.finding_count))
            .where(ScanRun.received_at >= since, runs_seen)
            .group_by(month)
        ).all()
    )
    cmonth = _month(session, Case.opened_at)
    trend_cases: dict[str, Any] = dict(
        session.execute(
            select(cmonth, func.count())
            .where(case_filter(p), of_campaign, Case.opened_at >= since)
            .group_by(cmonth)
        ).all()
    )
    months = []
    y, m = since.year, since.month
    for _ in range(13):
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return {
        "types": types,
        "provinces": [{"name": names.get(c, str(c)), "value": n} for c, n in by_province],
        "stores": [{"name": stores.get(s, str(s)), "value": n} for s, n in by_store],
        "sdks": [{"name": name, "value": n} for name, n in top_sdks],
        "trend": {
            "months": months,
            "findings": [int(trend_findings.get(mo) or 0) for mo in months],
            "cases": [int(trend_cases.get(mo) or 0) for mo in months],
        },
    }


def deadline_board(session: Session, p: Principal, now: datetime, campaign_id: int | None = None) -> Board:
    """Cases waiting on the enterprise (of one campaign, if given), by their deadline against today (Beijing)
    in working days."""
    today = beijing_date(now)
    try:
        week_end: date | None = working_day_deadline(today, 5, build_calendar(session))
    except CalendarError as e:
        week_end = None
        error = str(e)
    else:
        error = ""
    board = Board(today=today, week_end=week_end, error=error)
    base = (
        select(Case, App)
        .join(App, App.id == Case.app_id)
        .where(
            case_filter(p),
            _campaign_cases(campaign_id, session.get_bind().dialect.name == "sqlite"),
            Case.state.in_(WAITING),
            Case.deadline.is_not(None),
        )
        .order_by(Case.deadline, Case.id)
        .limit(BOARD_LIMIT)
    )
    deadline = Case.deadline
    board.overdue = [(c, a) for c, a in session.execute(base.where(deadline < today)).all()]
    board.due_today = [(c, a) for c, a in session.execute(base.where(deadline == today)).all()]
    end = week_end or today + timedelta(days=7)
    board.this_week = [
        (c, a) for c, a in session.execute(base.where(deadline > today, deadline <= end)).all()
    ]
    return board


class ChartCache:
    """Chart data per visibility scope, kept ``ttl`` (a minute): two full scans of the findings table are the
    dashboard's cost at 200,000 findings, and the charts need not be fresher than that. The deadline board is
    always computed live."""

    def __init__(self, ttl: timedelta = timedelta(minutes=1)) -> None:
        self.ttl = ttl
        self._data: dict[tuple[str, str | None, int | None], tuple[datetime, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def get(
        self, session: Session, p: Principal, now: datetime, campaign_id: int | None = None
    ) -> dict[str, Any]:
        key = (str(p.role), p.province_code, campaign_id)
        with self._lock:
            hit = self._data.get(key)
        if hit is not None and now - hit[0] < self.ttl and hit[0] <= now:
            return hit[1]
        data = chart_data(session, p, now, campaign_id)
        with self._lock:
            self._data[key] = (now, data)
        return data
