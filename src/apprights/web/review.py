"""The findings review queue: filters, sorting and keyset paging (no OFFSET scan over 100k+ rows)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from apprights.model.finding import Confidence, Severity
from apprights.service.apps.models import App
from apprights.service.deps import Principal, Role
from apprights.service.orgs.models import Enterprise, Sdk
from apprights.service.scans.models import Finding, ScanRun
from apprights.service.scope import app_filter

SORTS = {
    "new": ("最新在前", "newest first"),
    "old": ("最早在前", "oldest first"),
    "type": ("按问题类型", "by problem type"),
}
STATUSES = {
    "pending": ("待审核", "pending"),
    "confirmed": ("已确认", "confirmed"),
    "dismissed": ("已排除", "dismissed"),
}
SEVERITIES = [str(s) for s in Severity]
CONFIDENCES = [str(c) for c in Confidence]


@dataclass(frozen=True)
class Filters:
    status: str = "pending"
    problem_type: int = 0
    severity: str = ""
    confidence: str = ""
    sdk: str = ""
    store_id: int = 0
    province: str = ""
    scan_run_id: int = 0  # one upload (batch) arrives as scan runs: filter by one
    campaign_id: int = 0  # the campaign (专项行动) the scan runs belong to

    @classmethod
    def parse(cls, q: dict[str, str]) -> Filters:
        """Unknown or malformed values are dropped (a filter never errors a page)."""

        def num(key: str, hi: int) -> int:
            v = q.get(key, "")
            return int(v) if v.isdigit() and 0 < int(v) <= hi else 0

        return cls(
            status=q.get("status", "pending") if q.get("status") in STATUSES else "pending",
            problem_type=num("problem_type", 10),
            severity=q.get("severity", "") if q.get("severity") in SEVERITIES else "",
            confidence=q.get("confidence", "") if q.get("confidence") in CONFIDENCES else "",
            sdk=q.get("sdk", "")[:200],
            store_id=num("store", 2**31 - 1),
            province=q.get("province", "") if q.get("province", "").isdigit() else "",
            scan_run_id=num("scan_run", 2**31 - 1),
            campaign_id=num("campaign", 2**31 - 1),
        )

    def query(self) -> dict[str, Any]:
        """The filters as URL parameters (for paging links and the bulk form's way back)."""
        out: dict[str, Any] = {"status": self.status}
        for key, v in (
            ("problem_type", self.problem_type),
            ("severity", self.severity),
            ("confidence", self.confidence),
            ("sdk", self.sdk),
            ("store", self.store_id),
            ("province", self.province[:2]),
            ("scan_run", self.scan_run_id),
            ("campaign", self.campaign_id),
        ):
            if v:
                out[key] = v
        return out

    def where(self, p: Principal, hint: bool = False) -> list[ColumnElement[bool]]:
        """The WHERE clauses; ``hint``: SQLite planner hints (see ``_query``)."""
        w: list[ColumnElement[bool]] = [Finding.status == self.status]
        if p.role is not Role.MINISTRY:
            w.append(app_filter(p))
        if self.problem_type:
            w.append(Finding.problem_type == self.problem_type)
        if self.severity:
            w.append(Finding.severity == self.severity)
        if self.confidence:
            w.append(Finding.confidence == self.confidence)
        if self.sdk:
            w.append(and_(Finding.subject_kind == "sdk", Finding.subject_key == self.sdk))
        if self.store_id:
            # "+ 0": walk findings newest first and test the run, rather than gather every finding of the
            # store's runs (the (scan_run_id, fingerprint) index) and sort them
            runs = select(ScanRun.id).where(ScanRun.store_id == self.store_id)
            w.append((Finding.scan_run_id + 0 if hint else Finding.scan_run_id).in_(runs))
        if self.province:
            region = select(Enterprise.id).where(Enterprise.province_code == self.province[:2])
            w.append(App.enterprise_id.in_(region))
        if self.scan_run_id:
            w.append(Finding.scan_run_id == self.scan_run_id)
        if self.campaign_id:
            runs = select(ScanRun.id).where(ScanRun.campaign_id == self.campaign_id)
            w.append((Finding.scan_run_id + 0 if hint else Finding.scan_run_id).in_(runs))
        return w


def _keyset(sort: str, after: str) -> tuple[list[Any], ColumnElement[bool] | None]:
    """ORDER BY and the "after this row" condition for a cursor ``id`` or ``type:id``."""
    parts = after.split(":") if after else []
    if not all(x.isdigit() and len(x) < 11 for x in parts):
        parts = []
    if sort == "type":
        order = [Finding.problem_type, Finding.id]
        cond = None
        if len(parts) == 2:
            pt, fid = int(parts[0]), int(parts[1])
            cond = or_(Finding.problem_type > pt, and_(Finding.problem_type == pt, Finding.id > fid))
        return order, cond
    if sort == "old":
        return [Finding.id], (Finding.id > int(parts[0]) if len(parts) == 1 else None)
    return [Finding.id.desc()], (Finding.id < int(parts[0]) if len(parts) == 1 else None)


def cursor_of(sort: str, f: Finding) -> str:
    return f"{f.problem_type}:{f.id}" if sort == "type" else str(f.id)


def _query(session: Session, p: Principal, filters: Filters) -> Any:
    # On SQLite "+ 0" keeps the planner on the findings' id order (not "all findings of the visible apps, then
    # sort"); PostgreSQL plans well from its statistics and would lose its join strategies to the expression.
    hint = session.get_bind().dialect.name == "sqlite"
    app_id = Finding.app_id + 0 if hint else Finding.app_id
    return select(Finding, App).join(App, App.id == app_id).where(*filters.where(p, hint))


def page(
    session: Session, p: Principal, filters: Filters, sort: str, after: str, limit: int
) -> tuple[list[tuple[Finding, App]], str]:
    """One page of (finding, app) rows and the cursor of the next page ("" on the last page)."""
    sort = sort if sort in SORTS else "new"
    if sort == "type":
        return _page_by_type(session, p, filters, after, limit)
    order, cond = _keyset(sort, after)
    q = _query(session, p, filters)
    if cond is not None:
        q = q.where(cond)
    rows = [(f, a) for f, a in session.execute(q.order_by(*order).limit(limit + 1)).all()]
    nxt = cursor_of(sort, rows[limit - 1][0]) if len(rows) > limit else ""
    return rows[:limit], nxt


def _page_by_type(
    session: Session, p: Principal, filters: Filters, after: str, limit: int
) -> tuple[list[tuple[Finding, App]], str]:
    """By problem type, then id: one keyset query per type (ten at most) instead of sorting every row."""
    parts = after.split(":")
    start, last = (
        (int(parts[0]), int(parts[1])) if len(parts) == 2 and all(x.isdigit() for x in parts) else (1, 0)
    )
    types = [filters.problem_type] if filters.problem_type else list(range(start, 11))
    rows: list[tuple[Finding, App]] = []
    for pt in types:
        if pt < start:
            continue
        q = _query(session, p, filters).where(Finding.problem_type == pt)
        if pt == start and last:
            q = q.where(Finding.id > last)
        rows += [
            (f, a) for f, a in session.execute(q.order_by(Finding.id).limit(limit + 1 - len(rows))).all()
        ]
        if len(rows) > limit:
            break
    nxt = cursor_of("type", rows[limit - 1][0]) if len(rows) > limit else ""
    return rows[:limit], nxt


COUNT_CAP = 10_000


def total(session: Session, p: Principal, filters: Filters) -> int:
    """How many rows match, counted up to ``COUNT_CAP + 1`` (the page shows "10000+" beyond)."""
    inner = _query(session, p, filters).with_only_columns(Finding.id).limit(COUNT_CAP + 1).subquery()
    return session.scalar(select(func.count()).select_from(inner)) or 0


def sdk_options(session: Session) -> list[tuple[str, str]]:
    """SDKs the service knows (key, name), from the SDK table the ingest fills."""
    return [(k, n) for k, n in session.execute(select(Sdk.key, Sdk.name).order_by(Sdk.name).limit(300)).all()]
