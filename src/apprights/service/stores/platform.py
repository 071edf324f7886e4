"""What is held against a distribution platform: its platform findings and the cases they belong to.

A store account sees its own platform; the ministry sees every platform. Provincial administrations do not:
a case against a store is national (the store is supervised by the ministry under 164号文 四(10), and the
case's ``province_code`` comes from the app's enterprise, not from the platform), so provinces keep seeing
the app-side cases of their region through ``/cases`` and nothing here.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, select

from apprights.service.cases.models import Case
from apprights.service.deps import Principal, Role
from apprights.service.scans.models import Finding, ScanRun
from apprights.service.stores.models import Store


def visible_store_ids(p: Principal, store_id: int | None) -> list[int] | None:
    """The stores ``p`` may look at (None = all), narrowed to ``store_id`` when given."""
    if p.role is Role.STORE:
        own = [p.store_id] if p.store_id is not None else []
        return [s for s in own if store_id is None or s == store_id]
    if p.role is Role.MINISTRY:
        return None if store_id is None else [store_id]
    return []


def platform_finding_clause(store_ids: list[int] | None) -> ColumnElement[bool]:
    """Findings whose subject is a platform and whose run belongs to one of ``store_ids`` (None = any)."""
    runs = select(ScanRun.id).where(ScanRun.store_id.is_not(None))
    if store_ids is not None:
        runs = runs.where(ScanRun.store_id.in_(store_ids))
    store_codes = select(Store.code)
    if store_ids is not None:
        store_codes = store_codes.where(Store.id.in_(store_ids))
    return and_(
        Finding.subject_kind == "platform",
        Finding.scan_run_id.in_(runs),
        Finding.subject_key.in_(store_codes),
    )


def platform_case_clause(store_ids: list[int] | None) -> ColumnElement[bool]:
    """Cases against a store: on one of ``store_ids`` with at least one platform finding of that store."""
    on_store = Case.store_id.is_not(None) if store_ids is None else Case.store_id.in_(store_ids)
    # The store joins inside the EXISTS (correlated on the case): a scalar subquery there was not correlated
    # to the outer ``cases`` and returned every store's code (PostgreSQL: 500, SQLite: the first store only).
    has_platform = exists(
        select(Finding.id)
        .join(Store, Store.code == Finding.subject_key)
        .where(
            Finding.case_id == Case.id,
            Finding.subject_kind == "platform",
            Store.id == Case.store_id,
        )
        .correlate(Case)
    )
    return and_(on_store, has_platform)
