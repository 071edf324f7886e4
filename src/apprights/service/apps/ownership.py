"""Who an app belongs to, and how that was proven.

An app first seen in a scan report has no enterprise. It is not handed to whoever asks: an enterprise proves
it with the signed APK (its signing certificate must be one a test agency's or the ministry's scan saw on the
app, see ``flows.decisive_runs``), or a ministry/province decides. Every binding, rename and move between
provinces is written to the audit log; the app's cases follow the enterprise's province.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from apprights.errors import InputError
from apprights.extractors.apk import open_apk
from apprights.service import audit
from apprights.service.apps.models import App, AppVersion
from apprights.service.cases.flows import Actor, decisive_runs
from apprights.service.cases.models import Case
from apprights.service.errors import Conflict, NotFound
from apprights.service.orgs.models import Enterprise
from apprights.service.scans.models import ScanRun


def bind(
    session: Session, app: App, ent: Enterprise, *, how: str, actor: Actor, now: datetime, evidence: list[str]
) -> None:
    """Bind ``app`` to ``ent`` (``how``: registered|signer|decision), audited; its cases move with it."""
    old = session.get(Enterprise, app.enterprise_id) if app.enterprise_id is not None else None
    if old is not None and old.id == ent.id:
        return
    app.enterprise_id = ent.id
    app.ownership = how
    audit.record_by(
        session,
        actor,
        now=now,
        entity="app",
        entity_id=app.id,
        action="bind",
        from_state=f"enterprise:{old.id}" if old is not None else "",
        to_state=f"enterprise:{ent.id}",
        reason=how,
        evidence=evidence,
    )
    move_cases(session, [app.id], ent.province_code, actor=actor, now=now)


def move_cases(session: Session, app_ids: list[int], province: str, *, actor: Actor, now: datetime) -> None:
    """Cases of ``app_ids`` now belong to ``province``: every case that moves is audited (from → to)."""
    moving = session.scalars(
        select(Case).where(Case.app_id.in_(app_ids), Case.province_code.is_distinct_from(province))
    ).all()
    for case in moving:
        audit.record_by(
            session,
            actor,
            now=now,
            entity="case",
            entity_id=case.id,
            action="move_province",
            from_state=case.province_code or "",
            to_state=province,
            evidence=[f"app:{case.app_id}"],
        )
    if moving:
        session.execute(
            update(Case).where(Case.id.in_([c.id for c in moving])).values(province_code=province)
        )
    session.flush()


def rename_app(session: Session, app: App, name: str, *, actor: Actor, now: datetime) -> None:
    if name == app.name:
        return
    audit.record_by(
        session,
        actor,
        now=now,
        entity="app",
        entity_id=app.id,
        action="rename",
        from_state=app.name[:32],
        to_state=name[:32],
        reason=f"{app.name} → {name}",
    )
    app.name = name
    session.flush()


def signers_in_test_results(session: Session, app_id: int) -> set[str]:
    """Signing certificates (sha256) seen on the app's versions in test results (never a self-check)."""
    runs = select(ScanRun.app_version_id).where(ScanRun.app_id == app_id, ScanRun.id.in_(decisive_runs()))
    rows = session.scalars(
        select(AppVersion.signer_sha256).where(AppVersion.id.in_(runs), AppVersion.signer_sha256 != "")
    )
    return {s.lower() for s in rows}


def _apk_identity(path: Path) -> tuple[str, set[str]]:
    try:
        with open_apk(path) as archive:
            return archive.manifest().package, {s.sha256.lower() for s in archive.facts().signers}
    except InputError as e:  # name the upload, not the server's temporary file
        raise InputError("apk", e.problem) from None


def claim_with_apk(
    session: Session, apk: bytes | Path, ent: Enterprise, *, actor: Actor, now: datetime, tmp_dir: Path
) -> App:
    """An enterprise proves an app is its own with the signed APK: same package, and a signing certificate
    that test results saw on the app. ``InputError`` for an unreadable APK; ``Conflict`` when not proven.

    ``apk`` is the file (an upload streamed to disk, read in place) or its bytes (written to ``tmp_dir``)."""
    if isinstance(apk, Path):
        package, signers = _apk_identity(apk)
    else:
        tmp_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=tmp_dir, suffix=".apk") as fh:
            fh.write(apk)
            fh.flush()
            package, signers = _apk_identity(Path(fh.name))
    app = session.scalar(select(App).where(App.package == package))
    if app is None:
        raise NotFound(f"应用 {package} 尚无检测记录 / no app {package} is known: register it instead")
    if app.enterprise_id == ent.id:
        return app
    if app.enterprise_id is not None:
        raise Conflict(
            f"{package} 已登记在其他企业名下，请联系主管部门 / {package} belongs to another enterprise: ask the "
            "ministry or the province to decide"
        )
    if not signers:
        raise InputError("apk", "APK未签名 / the APK carries no signing certificate")
    seen = signers_in_test_results(session, app.id)
    match = signers & seen
    if not match:
        raise Conflict(
            f"签名证书与检测记录不符 / the APK's signing certificate does not match any version of {package} "
            "a test agency scanned"
        )
    bind(
        session, app, ent, how="signer", actor=actor, now=now, evidence=[f"signer:{s}" for s in sorted(match)]
    )
    return app
