"""Registering apps and listings; an app's history (every version and case)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from apprights.errors import InputError
from apprights.service import audit
from apprights.service.apps import ownership
from apprights.service.apps.models import App, AppVersion, Listing
from apprights.service.apps.schemas import AppIn, ListingIn
from apprights.service.cases.flows import Actor
from apprights.service.cases.models import Case
from apprights.service.db import utc_naive
from apprights.service.errors import Conflict
from apprights.service.orgs.models import Enterprise
from apprights.service.stores.models import Store


def register_app(session: Session, data: AppIn, now: datetime, actor: Actor) -> App:
    """Register an app. An app first seen in a scan report is bound to an enterprise only by a regulator's
    decision (ministry, or the province of the enterprise); an enterprise proves ownership with its signed APK
    (``ownership.claim_with_apk``). Renames and bindings are audited."""
    ent = None
    if data.enterprise_id is not None:
        ent = session.get(Enterprise, data.enterprise_id)
        if ent is None:
            raise InputError("app", f"unknown enterprise {data.enterprise_id}")
    by_regulator = actor.role in ("ministry", "province")
    app = session.scalar(select(App).where(App.package == data.package))
    if app is None:
        app = App(
            package=data.package,
            name=data.name,
            enterprise_id=data.enterprise_id,
            ownership=("decision" if by_regulator else "registered") if ent is not None else "",
            created_at=utc_naive(now),
        )
        session.add(app)
        session.flush()
        audit.record_by(
            session,
            actor,
            now=now,
            entity="app",
            entity_id=app.id,
            action="register",
            to_state=f"enterprise:{ent.id}" if ent is not None else "",
        )
        return app
    if app.enterprise_id is not None and data.enterprise_id not in (None, app.enterprise_id):
        raise InputError("app", f"{data.package} 已登记在其他企业名下 / is registered to another enterprise")
    if ent is not None and app.enterprise_id is None:
        if not by_regulator:
            raise Conflict(
                f"{data.package} 已有检测记录，须证明归属：提交签名APK（POST /apps/claim）或由主管部门确认 / "
                "first seen in a scan: prove ownership with the signed APK (POST /apps/claim) or ask the "
                "ministry or the province"
            )
        ownership.bind(session, app, ent, how="decision", actor=actor, now=now, evidence=[])
    if data.name:
        ownership.rename_app(session, app, data.name, actor=actor, now=now)
    session.flush()
    return app


def add_listing(session: Session, app: App, data: ListingIn) -> Listing:
    if session.get(Store, data.store_id) is None:
        raise InputError("listing", f"unknown store {data.store_id}")
    listing = session.scalar(
        select(Listing).where(Listing.app_id == app.id, Listing.store_id == data.store_id)
    )
    if listing is None:
        listing = Listing(app_id=app.id, store_id=data.store_id)
        session.add(listing)
    listing.url = data.url
    listing.version_name = data.version_name
    session.flush()
    return listing


def history(session: Session, app: App) -> tuple[list[AppVersion], list[Listing], list[Case]]:
    versions = list(
        session.scalars(select(AppVersion).where(AppVersion.app_id == app.id).order_by(AppVersion.id))
    )
    listings = list(session.scalars(select(Listing).where(Listing.app_id == app.id).order_by(Listing.id)))
    cases = list(session.scalars(select(Case).where(Case.app_id == app.id).order_by(Case.id)))
    return versions, listings, cases
