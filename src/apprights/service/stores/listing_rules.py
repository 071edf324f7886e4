"""The scan engine's listing rules (problem types 9 and 10) run on every uploaded listing.

Each ``apprights-listing/1`` item becomes ``AppFacts(listings=[item], manifest=…)`` and goes through
``apprights.engine.runner.run_rules`` with the rules whose ``requires`` ⊆ {"listing", "manifest"}. The manifest
is given only when the service holds the APK of that app version (a self-check upload): otherwise None and the
rules needing it are skipped by the runner. The findings become rows exactly like an ingested scan's (one pseudo
scan run per upload × app × store, ``store_id`` = the store, platform subject = the store's code), ``pending``
for a reviewer; confirming one opens or joins the (app, problem type, store) case through ``flows``.

``T10.removed_app_still_listed`` is NOT run here: the service's own check (``supervision.check_snapshots``)
already judges it with more than the rule knows (clones by signer or name + developer, the removal order's
notice, the case it belongs to, system confirmation). Feeding the orders to the rule as well would report the
same situation twice under two fingerprints, so the engine rule is skipped (``SKIPPED_RULES``).

Idempotent: a finding whose fingerprint (rule, store, key) is already pending, or part of an open case, for the
same app is not stored again; the same upload twice is a duplicate upload and runs nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from apprights.engine.runner import run_rules
from apprights.knowledge import Knowledge
from apprights.model.facts import AppFacts, ManifestFacts
from apprights.model.finding import Finding as EngineFinding
from apprights.model.listing import ListingFacts
from apprights.rules.base import Rule, RuleContext, discover_rules
from apprights.service import audit
from apprights.service.apps.models import App, AppVersion
from apprights.service.cases.flows import SYSTEM, Actor
from apprights.service.cases.lifecycle import OPEN
from apprights.service.cases.models import Case
from apprights.service.db import utc_naive
from apprights.service.scans.models import Finding, ScanRun
from apprights.service.stores.models import ListingSnapshot, Store

log = logging.getLogger(__name__)

LISTING_RULES_TOOL = "apprights-listing-rules"
LISTING_FACTS = frozenset({"listing", "manifest"})
# See the module docstring: the service's own removal check replaces the engine rule.
SKIPPED_RULES = frozenset({"T10.removed_app_still_listed"})
MAX_EVIDENCE_CHARS = 4000


def listing_rules() -> list[type[Rule]]:
    """The engine rules that can run on a listing (and optionally a manifest), minus ``SKIPPED_RULES``."""
    return [
        r
        for r in discover_rules()
        if r.requires and set(r.requires) <= LISTING_FACTS and r.id not in SKIPPED_RULES
    ]


def _pending_or_open(session: Session, app_id: int, fingerprint: str) -> bool:
    open_case = Finding.case_id.in_(select(Case.id).where(Case.state.in_([str(s) for s in OPEN])))
    q = (
        select(func.count())
        .select_from(Finding)
        .where(
            Finding.app_id == app_id,
            Finding.fingerprint == fingerprint,
            or_(Finding.status == "pending", open_case),
        )
    )
    return (session.scalar(q) or 0) > 0


def _find_version(session: Session, app_id: int, version_name: str) -> int | None:
    """The listed version of the app (by name), else its newest known version."""
    versions = select(AppVersion.id).where(AppVersion.app_id == app_id)
    ver = None
    if version_name:
        ver = session.scalars(
            versions.where(AppVersion.version_name == version_name).order_by(AppVersion.id.desc())
        ).first()
    return ver if ver is not None else session.scalars(versions.order_by(AppVersion.id.desc())).first()


def _create_target(session: Session, snap: ListingSnapshot, now: datetime) -> tuple[int, int] | None:
    """Create the app (like scan ingestion does for an unknown package) and/or a version for the listing."""
    app_id = snap.app_id
    if app_id is None:
        if not snap.package:
            return None  # a listing without a package names no app the service can attach a finding to
        app_id = session.scalar(select(App.id).where(App.package == snap.package))
        if app_id is None:
            app = App(
                package=snap.package,
                name=snap.app_name,
                developer=snap.developer_name,
                created_at=utc_naive(now),
            )
            session.add(app)
            session.flush()
            app_id = app.id
        snap.app_id = app_id
    version_id = _find_version(session, app_id, snap.version_name)
    if version_id is None:
        ver = AppVersion(
            app_id=app_id, version_name=snap.version_name, version_code=0, first_seen=utc_naive(now)
        )
        session.add(ver)
        session.flush()
        version_id = ver.id
    return app_id, version_id


def _run_for(
    session: Session, upload_sha: str, app_id: int, version_id: int, store_id: int, now: datetime
) -> ScanRun:
    key = hashlib.sha256(f"listing-rules:{upload_sha}:{app_id}:{store_id}".encode()).hexdigest()
    run = session.scalar(select(ScanRun).where(ScanRun.report_sha256 == key))
    if run is None:
        run = ScanRun(
            report_sha256=key,
            app_id=app_id,
            app_version_id=version_id,
            store_id=store_id,
            tool_name=LISTING_RULES_TOOL,
            tool_version="1",
            ruleset="T9,T10",
            finding_count=0,
            received_at=utc_naive(now),
        )
        session.add(run)
        session.flush()
    return run


def _text(value: str, cap: int) -> str:
    """As stored: NUL dropped (PostgreSQL refuses it; listing text is user input), capped."""
    return value.replace("\x00", "")[:cap]


def _evidence(f: EngineFinding) -> str:
    ev = json.dumps([e.to_dict() for e in f.evidence[:10]], ensure_ascii=False, default=str)
    if len(ev) > MAX_EVIDENCE_CHARS:
        ev = json.dumps([{"source": "truncated", "text": ev[: MAX_EVIDENCE_CHARS - 200]}], ensure_ascii=False)
    return ev


ManifestLookup = Callable[[int], ManifestFacts | None]
"""App version id → the manifest facts of that version, when the service knows them (else None)."""


def run_listing_rules(
    session: Session,
    pairs: Sequence[tuple[ListingSnapshot, ListingFacts]],
    *,
    knowledge: Knowledge,
    upload_sha: str,
    now: datetime,
    manifests: ManifestLookup | None = None,
    actor: Actor = SYSTEM,
) -> list[int]:
    """Run the listing rules on each (snapshot, listing) and store new findings; returns their ids.
    ``manifests``: app version id → its manifest facts, when the service knows them (a self-check's APK)."""
    rules = listing_rules()
    ctx = RuleContext(knowledge)
    stores = {s.id: s for s in session.scalars(select(Store))}
    ids: list[int] = []
    for snap, item in pairs:
        store = stores[snap.store_id]
        # the resolved store code: the store may have been named by its display name in the listing
        listing = dataclasses.replace(item, store=store.code)
        run_out = None
        known = None
        if snap.app_id is not None:
            vid = _find_version(session, snap.app_id, snap.version_name)
            known = (snap.app_id, vid) if vid is not None else None
        manifest = manifests(known[1]) if known is not None and manifests is not None else None
        found = run_rules(AppFacts(listings=[listing], manifest=manifest), ctx, rules)
        for err in found.errors:  # a crashing rule is logged; the other rules' findings are kept
            log.warning("listing snapshot %s: %s: %s", snap.id, err["input"], err["message"])
        if not found.findings:
            continue
        target = known or _create_target(session, snap, now)
        if target is None:
            continue
        app_id, version_id = target
        for f in found.findings:
            fp = f.fingerprint
            if _pending_or_open(session, app_id, fp):
                continue
            if run_out is None:
                run_out = _run_for(session, upload_sha, app_id, version_id, store.id, now)
            row = Finding(
                scan_run_id=run_out.id,
                app_id=app_id,
                app_version_id=version_id,
                fingerprint=fp,
                rule=f.rule[:128],
                problem_type=f.problem_type,
                severity=str(f.severity),
                confidence=str(f.confidence),
                subject_kind=str(f.subject.kind),
                subject_key=_text(f.subject.id, 200),
                subject_name=_text(store.name if str(f.subject.kind) == "platform" else f.subject.name, 200),
                title_zh=_text(f.title_zh + (f"：{f.detail_zh}" if f.detail_zh else ""), 500),
                title_en=_text(f.title_en + (f": {f.detail_en}" if f.detail_en else ""), 500),
                evidence=_evidence(f),
                status="pending",
                review_reason="",
            )
            session.add(row)
            run_out.finding_count += 1
            session.flush()
            audit.record_by(
                session,
                actor,
                now=now,
                entity="finding",
                entity_id=row.id,
                action="detect",
                to_state="pending",
                reason=f.rule,
                evidence=[f"listing_snapshot:{snap.id}"],
            )
            ids.append(row.id)
    return ids
