"""Row-level visibility: which apps, cases and notices a principal may see."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, select, true

from apprights.service.apps.models import App
from apprights.service.cases.models import Case
from apprights.service.deps import Principal, Role
from apprights.service.orgs.models import Enterprise


def app_filter(p: Principal) -> ColumnElement[bool]:
    """A WHERE clause over ``App`` for what ``p`` may see."""
    if p.role is Role.MINISTRY:
        return true()
    if p.role is Role.PROVINCE:
        region = select(Enterprise.id).where(Enterprise.province_code == p.province_code)
        return App.enterprise_id.in_(region)
    if p.role is Role.ENTERPRISE:
        return App.enterprise_id == p.enterprise_id
    return false()


def case_filter(p: Principal) -> ColumnElement[bool]:
    if p.role is Role.MINISTRY:
        return true()
    if p.role is Role.PROVINCE:
        return Case.province_code == p.province_code
    if p.role is Role.ENTERPRISE:
        return Case.app_id.in_(select(App.id).where(App.enterprise_id == p.enterprise_id))
    return false()


def may_see_app(p: Principal, app: App, enterprise: Any | None) -> bool:
    if p.role is Role.MINISTRY:
        return True
    if p.role is Role.PROVINCE:
        return enterprise is not None and enterprise.province_code == p.province_code
    if p.role is Role.ENTERPRISE:
        return app.enterprise_id is not None and app.enterprise_id == p.enterprise_id
    return False


def may_see_case(p: Principal, case: Case, app: App) -> bool:
    if p.role is Role.MINISTRY:
        return True
    if p.role is Role.PROVINCE:
        return case.province_code is not None and case.province_code == p.province_code
    if p.role is Role.ENTERPRISE:
        return app.enterprise_id is not None and app.enterprise_id == p.enterprise_id
    return False
