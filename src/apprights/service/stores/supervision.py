"""Store supervision (problem type 10): listing ingestion, automatic checks after removal orders, per-store figures.

A listing upload (``apprights-listing/1``: one object, an array or JSON Lines) is kept on disk by its sha256
before it is parsed, so nothing submitted is lost even when it is rejected. Each item becomes a
``ListingSnapshot``. Then two checks run on the new snapshots (``now`` and the grace period are passed in):

* ``T10.removed_app_still_listed``: an app under a removal (下架) order — or a clone of it (same package, same
  signer, or same name and developer) — is still ``listed: true`` in a listing captured more than the grace
  period after the order: a platform finding and a case against that store.
* ``repeat.listed_on_other_store``: an app whose case was closed as rectified shows the offending version
  listed on another store, or an app under a removal order is listed on another store: a repeat case of the
  same problem type that escalates directly to 通报 (``flows.open_repeat_case``).
"""

from __future__ import annotations

import hashlib
import json
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from apprights.errors import InputError
from apprights.extractors.listing import MAX_BYTES, extract_listings
from apprights.knowledge import Knowledge
from apprights.model.listing import ListingFacts
from apprights.service import audit
from apprights.service.apps.models import App, AppVersion, Listing
from apprights.service.cases import flows
from apprights.service.cases.flows import SYSTEM, Actor
from apprights.service.cases.lifecycle import OPEN, State
from apprights.service.cases.models import Case
from apprights.service.db import utc_naive
from apprights.service.files import blob_path, store_file
from apprights.service.notices.models import Notice, NoticeCase
from apprights.service.orgs.models import Enterprise
from apprights.service.scans.models import Finding, ScanRun
from apprights.service.stores.listing_rules import ManifestLookup, run_listing_rules
from apprights.service.stores.models import ListingSnapshot, ListingUpload, RemovalConfirmation, Store
from apprights.service.timeutil import BEIJING

RULE_STILL_LISTED = "T10.removed_app_still_listed"
RULE_REPEAT = "repeat.listed_on_other_store"
LISTING_TOOL = "apprights-listing"
REMOVED_STATES = frozenset(
    {str(State.ESCALATED_REMOVAL), str(State.ESCALATED_PENALTY), str(State.ESCALATED_BLACKLIST)}
)
_SPACE = re.compile(r"\s+")


def _clean(text: str | None, cap: int) -> str:
    """A string as stored: NUL characters dropped (PostgreSQL refuses them), capped."""
    return (text or "").replace("\x00", "")[:cap]


def _norm(text: str | None) -> str:
    return _SPACE.sub("", text or "").lower()


def parse_captured_at(value: str) -> datetime:
    """ISO 8601 → naive UTC; a time without a zone is read as Beijing time (the stores' local time)."""
    try:
        dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"captured_at {value[:40]!r} is not an ISO 8601 time") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=BEIJING)
    try:
        return dt.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:
        raise ValueError(f"captured_at {value[:40]!r} is out of range") from None


@dataclass
class ListingIngestResult:
    upload_id: int
    sha256: str
    duplicate: bool = False
    received: int = 0
    stored: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    rejected: str = ""
    finding_ids: list[int] = field(default_factory=list)
    case_ids: list[int] = field(default_factory=list)
    repeat_case_ids: list[int] = field(default_factory=list)
    rule_finding_ids: list[int] = field(default_factory=list)  # engine listing rules (T9/T10), pending review


# --- identities: which listed app is (a clone of) a removed app -------------------------------------------


@dataclass(frozen=True)
class Identity:
    app_id: int | None
    package: str
    name: str
    developer: str
    signers: frozenset[str]


def _signers(session: Session, app_id: int | None) -> frozenset[str]:
    if app_id is None:
        return frozenset()
    rows = session.scalars(
        select(AppVersion.signer_sha256).where(AppVersion.app_id == app_id, AppVersion.signer_sha256 != "")
    )
    return frozenset(r.lower() for r in rows)


def app_identity(session: Session, app: App) -> Identity:
    ent_name = session.scalar(select(Enterprise.name).where(Enterprise.id == app.enterprise_id))
    return Identity(
        app.id, app.package, _norm(app.name), _norm(ent_name or app.developer), _signers(session, app.id)
    )


def snapshot_identity(session: Session, snap: ListingSnapshot) -> Identity:
    return Identity(
        snap.app_id,
        snap.package,
        _norm(snap.app_name),
        _norm(snap.developer_name),
        _signers(session, snap.app_id),
    )


def same_app(listed: Identity, removed: Identity) -> str | None:
    """How ``listed`` is the removed app: ``package``, ``signer`` or ``name_developer``; None if not."""
    if (listed.app_id is not None and listed.app_id == removed.app_id) or (
        listed.package and listed.package == removed.package
    ):
        return "package"
    if listed.signers & removed.signers:
        return "signer"
    if (
        listed.name
        and listed.developer
        and (listed.name, listed.developer) == (removed.name, removed.developer)
    ):
        return "name_developer"
    return None


@dataclass
class RemovalOrder:
    notice: Notice
    at: datetime  # naive UTC: when the order was published (or created, while a draft)
    cases: list[Case]
    apps: dict[int, Identity]


def removal_orders(session: Session) -> list[RemovalOrder]:
    orders: dict[int, RemovalOrder] = {}
    q = (
        select(Notice, Case)
        .join(NoticeCase, NoticeCase.notice_id == Notice.id)
        .join(Case, Case.id == NoticeCase.case_id)
        .where(Notice.kind == "removal")
        .order_by(Notice.id, Case.id)
    )
    idents: dict[int, Identity] = {}
    for notice, case in session.execute(q).all():
        order = orders.get(notice.id)
        if order is None:
            order = orders[notice.id] = RemovalOrder(notice, notice.published_at or notice.created_at, [], {})
        order.cases.append(case)
        if case.app_id not in idents:
            app = session.get(App, case.app_id)
            assert app is not None
            idents[case.app_id] = app_identity(session, app)
        order.apps[case.app_id] = idents[case.app_id]
    return list(orders.values())


def apps_on_store(session: Session, store_id: int) -> set[int]:
    """Apps listed on the store (``Listing``) or ever seen in one of its listing snapshots."""
    listed = session.scalars(select(Listing.app_id).where(Listing.store_id == store_id))
    seen = session.scalars(
        select(ListingSnapshot.app_id)
        .where(ListingSnapshot.store_id == store_id, ListingSnapshot.app_id.is_not(None))
        .distinct()
    )
    return {a for a in listed} | {a for a in seen if a is not None}


def order_concerns_store(
    session: Session, order: RemovalOrder, store_id: int, on_store: set[int] | None = None
) -> bool:
    """A removal order concerns every store the case came from or where one of its apps is listed.
    ``on_store``: ``apps_on_store(session, store_id)`` when the caller already has it."""
    if any(c.store_id == store_id for c in order.cases):
        return True
    if on_store is None:
        on_store = apps_on_store(session, store_id)
    return not on_store.isdisjoint(order.apps)


# --- ingestion -----------------------------------------------------------------------------------------------


class _Lookups:
    """Per-upload caches: stores by code and name, app ids by package, listing rows by (app, store)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.stores_by_code: dict[str, Store] = {}
        self.stores_by_name: dict[str, Store] = {}
        for st in session.scalars(select(Store).order_by(Store.id.desc())):
            self.stores_by_code[st.code.lower()] = st
            self.stores_by_name[st.name] = st  # the lowest id wins (iterated last)
        self.apps: dict[str, int | None] = {}
        self.listings: dict[tuple[int, int], Listing | None] = {}

    def store(self, name: str) -> Store | None:
        key = _clean(name, 200).strip()
        return self.stores_by_code.get(key.lower()) or self.stores_by_name.get(key)

    def app_id(self, package: str) -> int | None:
        if package not in self.apps:
            self.apps[package] = self.session.scalar(select(App.id).where(App.package == package))
        return self.apps[package]

    def listing(self, app_id: int, store_id: int) -> Listing | None:
        key = (app_id, store_id)
        if key not in self.listings:
            self.listings[key] = self.session.scalar(
                select(Listing).where(Listing.app_id == app_id, Listing.store_id == store_id)
            )
        return self.listings[key]


def ingest_listings(
    session: Session,
    data_dir: Path,
    raw: bytes,
    *,
    user_id: int | None,
    now: datetime,
    grace_hours: int,
    only_store_id: int | None = None,
    actor: Actor = SYSTEM,
    knowledge: Knowledge | None = None,
    manifests: ManifestLookup | None = None,
) -> ListingIngestResult:
    """Keep ``raw`` on disk, parse it, store the snapshots and run the checks. The same bytes twice are stored
    once (``duplicate``). A payload that does not parse is kept with status ``rejected`` (see ``rejected``).
    With ``knowledge``, the engine's listing rules (``listing_rules``) also run on every stored listing."""
    if len(raw) > MAX_BYTES:
        raise InputError("listings", f"payload larger than {MAX_BYTES} bytes")
    sha = hashlib.sha256(raw).hexdigest()
    existing = session.scalar(select(ListingUpload).where(ListingUpload.sha256 == sha))
    if existing is not None:
        return ListingIngestResult(
            existing.id, sha, duplicate=True, received=existing.listings, rejected=existing.error
        )
    upload = ListingUpload(sha256=sha, size=len(raw), received_at=utc_naive(now), submitted_by=user_id)
    session.add(upload)
    session.flush()
    stored = store_file(
        session,
        data_dir,
        owner_kind="listing",
        owner_id=upload.id,
        filename=f"listing-{upload.id}.json",
        content=raw,
        content_type="application/json",
        now=now,
        max_bytes=MAX_BYTES,
    )
    upload.file_id = stored.id
    result = ListingIngestResult(upload.id, sha)
    try:
        items = extract_listings(blob_path(data_dir, sha))
    except InputError as e:
        upload.status = "rejected"
        upload.error = e.problem[:1000]
        result.rejected = upload.error
        session.flush()
        return result
    result.received = len(items)
    upload.listings = len(items)
    snaps = []
    pairs = []
    look = _Lookups(session)
    for item in items:
        where = f"item {item.index}"
        try:
            snap = _snapshot(look, upload.id, item, only_store_id, utc_naive(now))
        except ValueError as e:
            result.errors.append((where, str(e)))
            continue
        snaps.append(snap)
        pairs.append((snap, item))
    session.flush()
    upload.status = "parsed"
    result.stored = len(snaps)
    check_snapshots(session, snaps, result, now=now, grace_hours=grace_hours, actor=actor)
    if knowledge is not None:
        result.rule_finding_ids = run_listing_rules(
            session, pairs, knowledge=knowledge, upload_sha=sha, now=now, manifests=manifests, actor=actor
        )
    session.flush()
    return result


def _snapshot(
    look: _Lookups, upload_id: int, item: ListingFacts, only_store_id: int | None, now: datetime
) -> ListingSnapshot:
    store = look.store(item.store)
    if store is None:
        raise ValueError(f"未知应用商店 / unknown store {item.store[:64]!r}")
    if only_store_id is not None and store.id != only_store_id:
        raise ValueError(f"不是本平台的上架信息 / listing of another store {item.store[:64]!r}")
    captured = parse_captured_at(item.captured_at)
    if captured > now + timedelta(hours=1):
        raise ValueError(f"captured_at {item.captured_at[:40]!r} is in the future / 采集时间晚于当前时间")
    package = _clean(item.package, 255).strip()
    app_id = look.app_id(package) if package else None
    snap = ListingSnapshot(
        upload_id=upload_id,
        store_id=store.id,
        app_id=app_id,
        package=package,
        app_name=_clean(item.app_name, 200),
        developer_name=_clean(item.developer_name, 200),
        version_name=_clean(item.version_name, 100),
        url=_clean(item.url, 1000),
        listed=item.listed,
        captured_at=captured,
    )
    look.session.add(snap)
    if app_id is not None and item.listed:
        row = look.listing(app_id, store.id)
        if row is None:
            row = Listing(app_id=app_id, store_id=store.id, url=snap.url, version_name=snap.version_name)
            look.session.add(row)
            look.listings[(app_id, store.id)] = row
        else:
            row.url = snap.url or row.url
            row.version_name = snap.version_name or row.version_name
    return snap


# --- checks ----------------------------------------------------------------------------------------------


def _scan_run(session: Session, upload_sha: str, case: Case, store_id: int, now: datetime) -> ScanRun:
    """A pseudo scan run that carries the findings of one upload about one app on one store."""
    key = hashlib.sha256(f"listing:{upload_sha}:{case.app_id}:{store_id}".encode()).hexdigest()
    run = session.scalar(select(ScanRun).where(ScanRun.report_sha256 == key))
    if run is None:
        run = ScanRun(
            report_sha256=key,
            app_id=case.app_id,
            app_version_id=case.app_version_id,
            store_id=store_id,
            tool_name=LISTING_TOOL,
            tool_version="1",
            ruleset="T10",
            finding_count=0,
            received_at=utc_naive(now),
        )
        session.add(run)
        session.flush()
    return run


def _already_open(session: Session, fingerprint: str) -> bool:
    return (
        session.scalar(
            select(func.count())
            .select_from(Finding)
            .join(Case, Case.id == Finding.case_id)
            .where(Finding.fingerprint == fingerprint, Case.state.in_([str(s) for s in OPEN]))
        )
        or 0
    ) > 0


def _finding(
    session: Session,
    run: ScanRun,
    *,
    rule: str,
    problem_type: int,
    fingerprint: str,
    subject: tuple[str, str, str],
    titles: tuple[str, str],
    evidence: list[dict[str, object]],
    now: datetime,
    actor: Actor,
) -> Finding:
    f = Finding(
        scan_run_id=run.id,
        app_id=run.app_id,
        app_version_id=run.app_version_id,
        fingerprint=fingerprint,
        rule=rule,
        problem_type=problem_type,
        severity="high",
        confidence="observed_in_violation",
        subject_kind=subject[0],
        subject_key=subject[1][:200],
        subject_name=subject[2][:200],
        title_zh=titles[0][:500],
        title_en=titles[1][:500],
        evidence=json.dumps(evidence, ensure_ascii=False)[:4000],
        status="pending",
    )
    session.add(f)
    run.finding_count += 1
    session.flush()
    audit.record_by(
        session,
        actor,
        now=now,
        entity="finding",
        entity_id=f.id,
        action="detect",
        to_state="pending",
        reason=rule,
        evidence=[f"listing_snapshot:{e.get('snapshot')}" for e in evidence[:1]],
    )
    return f


def check_snapshots(
    session: Session,
    snaps: list[ListingSnapshot],
    result: ListingIngestResult,
    *,
    now: datetime,
    grace_hours: int,
    actor: Actor = SYSTEM,
) -> None:
    listed = [s for s in snaps if s.listed]
    if not listed:
        return
    grace = timedelta(hours=grace_hours)
    orders = removal_orders(session)
    upload_sha = result.sha256
    stores = {s.id: s for s in session.scalars(select(Store))}
    for snap in listed:
        ident = snapshot_identity(session, snap)
        store = stores[snap.store_id]
        for order in orders:
            if snap.captured_at <= order.at + grace:
                continue
            for app_id, removed in order.apps.items():
                how = same_app(ident, removed)
                if how is None:
                    continue
                case = next(c for c in order.cases if c.app_id == app_id)
                _still_listed(session, snap, store, order, case, how, upload_sha, result, now, actor)
                if (
                    how == "package"
                    and any(c.store_id is not None for c in order.cases)
                    and all(c.store_id != snap.store_id for c in order.cases if c.app_id == app_id)
                ):
                    _repeat(session, snap, store, case, "removal", upload_sha, result, now, actor)
        if snap.app_id is not None and snap.version_name:
            _rectified_elsewhere(session, snap, store, upload_sha, result, now, actor)


def _still_listed(
    session: Session,
    snap: ListingSnapshot,
    store: Store,
    order: RemovalOrder,
    case: Case,
    how: str,
    upload_sha: str,
    result: ListingIngestResult,
    now: datetime,
    actor: Actor,
) -> None:
    app_pkg = order.apps[case.app_id].package
    fp = hashlib.sha256(
        f"{RULE_STILL_LISTED}|{store.code}|{app_pkg}|{snap.package or snap.app_name}|{order.notice.id}".encode()
    ).hexdigest()
    if _already_open(session, fp):
        return
    run = _scan_run(session, upload_sha, case, store.id, now)
    hours = (snap.captured_at - order.at).total_seconds() / 3600
    f = _finding(
        session,
        run,
        rule=RULE_STILL_LISTED,
        problem_type=10,
        fingerprint=fp,
        subject=("platform", store.code, store.name),
        titles=(
            f"{store.name}在下架通知（{order.notice.notice_no}）发出{hours:.0f}小时后仍上架该应用",
            f"{store.name} still lists the app {hours:.0f} h after removal order {order.notice.notice_no}",
        ),
        evidence=[
            {
                "source": "listing",
                "snapshot": snap.id,
                "captured_at": snap.captured_at.isoformat() + "Z",
                "url": snap.url,
                "app_name": snap.app_name,
                "package": snap.package,
                "match": how,
                "removal_order": order.notice.notice_no,
                "ordered_at": order.at.isoformat() + "Z",
            }
        ],
        now=now,
        actor=actor,
    )
    opened = flows.review_finding(
        session, f, confirm=True, reason="上架信息自动核验 / automatic listing check", actor=actor, now=now
    )
    result.finding_ids.append(f.id)
    if opened is not None and opened.id not in result.case_ids:
        result.case_ids.append(opened.id)


def _repeat(
    session: Session,
    snap: ListingSnapshot,
    store: Store,
    prior: Case,
    why: str,
    upload_sha: str,
    result: ListingIngestResult,
    now: datetime,
    actor: Actor,
) -> None:
    fp = hashlib.sha256(f"{RULE_REPEAT}|{store.code}|{snap.package}|{prior.id}".encode()).hexdigest()
    if _already_open(session, fp):
        return
    run = _scan_run(session, upload_sha, prior, store.id, now)
    zh_why = "已下架" if why == "removal" else "已整改结案"
    f = _finding(
        session,
        run,
        rule=RULE_REPEAT,
        problem_type=prior.problem_type,
        fingerprint=fp,
        subject=("app", snap.package, snap.app_name),
        titles=(
            f"{zh_why}的应用（前案 #{prior.id}）在{store.name}上架 / 重复违规",
            f"app of case #{prior.id} ({why}) is listed on {store.name}: repeat offence",
        ),
        evidence=[
            {
                "source": "listing",
                "snapshot": snap.id,
                "captured_at": snap.captured_at.isoformat() + "Z",
                "url": snap.url,
                "version_name": snap.version_name,
                "prior_case": prior.id,
                "prior": why,
            }
        ],
        now=now,
        actor=actor,
    )
    f.status = "confirmed"
    f.review_reason = f"重复违规，前案 #{prior.id} / repeat of case #{prior.id}"
    f.reviewed_by = actor.user_id
    f.reviewed_at = utc_naive(now)
    audit.record_by(
        session,
        actor,
        now=now,
        entity="finding",
        entity_id=f.id,
        action="confirm",
        from_state="pending",
        to_state="confirmed",
        reason=f.review_reason,
    )
    case = flows.open_repeat_case(session, f, prior, store.id, actor=actor, now=now)
    result.finding_ids.append(f.id)
    if case.id not in result.repeat_case_ids:
        result.repeat_case_ids.append(case.id)


def _rectified_elsewhere(
    session: Session,
    snap: ListingSnapshot,
    store: Store,
    upload_sha: str,
    result: ListingIngestResult,
    now: datetime,
    actor: Actor,
) -> None:
    """A case closed as rectified whose offending version is listed, after the rectification, on another store."""
    q = select(Case).where(
        Case.app_id == snap.app_id,
        (Case.closed_as == str(State.RECTIFIED)) | (Case.state == str(State.RECTIFIED)),
        Case.store_id.is_not(None),
        Case.store_id != snap.store_id,
        Case.updated_at < snap.captured_at,
    )
    for prior in session.scalars(q.order_by(Case.id)).all():
        offending = set(
            session.scalars(
                select(AppVersion.version_name)
                .join(Finding, Finding.app_version_id == AppVersion.id)
                .where(Finding.case_id == prior.id, Finding.status == "confirmed")
            )
        )
        if snap.version_name in offending:
            _repeat(session, snap, store, prior, "rectified", upload_sha, result, now, actor)


# --- statistics ------------------------------------------------------------------------------------------------


@dataclass
class OpenOrder:
    notice_id: int
    notice_no: str
    ordered_at: datetime
    age_hours: float
    apps: list[str]


@dataclass
class Relisting:
    notice_no: str
    snapshot_id: int
    app_name: str
    package: str
    match: str
    captured_at: datetime


@dataclass
class StoreFigures:
    store_id: int
    code: str
    name: str
    findings: int = 0
    platform_findings: int = 0
    notified_apps: int = 0
    problems: int = 0
    share_percent: float = 0.0
    open_orders: list[OpenOrder] = field(default_factory=list)
    median_hours_to_confirmation: float | None = None
    median_hours_to_disappearance: float | None = None
    relistings: list[Relisting] = field(default_factory=list)


def _hours(a: datetime, b: datetime) -> float:
    return round((b - a).total_seconds() / 3600, 2)


def store_statistics(
    session: Session, *, since: datetime, until: datetime, now: datetime
) -> list[StoreFigures]:
    """Per store, for the window [since, until): findings from scans of its apps, apps and problems in published
    通报 (and its share of all problems, as MIIT publishes it), open removal orders and their age, median hours
    from a removal order to the store's confirmation and to the listings' disappearance, and re-listings."""
    since, until, now = utc_naive(since), utc_naive(until), utc_naive(now)
    figures = {
        s.id: StoreFigures(s.id, s.code, s.name) for s in session.scalars(select(Store).order_by(Store.id))
    }
    in_window = (ScanRun.received_at >= since) & (ScanRun.received_at < until)
    q = (
        select(ScanRun.store_id, Finding.subject_kind, func.count())
        .join(ScanRun, ScanRun.id == Finding.scan_run_id)
        .where(in_window, ScanRun.store_id.is_not(None), Finding.status != "dismissed")
        .group_by(ScanRun.store_id, Finding.subject_kind)
    )
    for store_id, kind, n in session.execute(q).all():
        if store_id not in figures:
            continue
        fig = figures[store_id]
        fig.findings += n
        if kind == "platform":
            fig.platform_findings += n
    notified = (
        select(Case.store_id, Case.app_id)
        .join(NoticeCase, NoticeCase.case_id == Case.id)
        .join(Notice, Notice.id == NoticeCase.notice_id)
        .where(
            Notice.kind == "public",
            Notice.published.is_(True),
            Notice.published_at >= since,
            Notice.published_at < until,
            Case.store_id.is_not(None),
        )
    )
    apps: dict[int, set[int]] = defaultdict(set)
    total = 0
    for store_id, app_id in session.execute(notified).all():
        if store_id not in figures:
            continue
        figures[store_id].problems += 1
        apps[store_id].add(app_id)
        total += 1
    for store_id, fig in figures.items():
        fig.notified_apps = len(apps[store_id])
        fig.share_percent = round(100 * fig.problems / total, 2) if total else 0.0
    orders = removal_orders(session)
    for fig in figures.values():
        _order_figures(session, fig, orders, since=since, until=until, now=now)
    return list(figures.values())


def _order_figures(
    session: Session,
    fig: StoreFigures,
    orders: list[RemovalOrder],
    *,
    since: datetime,
    until: datetime,
    now: datetime,
) -> None:
    to_confirm: list[float] = []
    to_gone: list[float] = []
    snaps = list(
        session.scalars(
            select(ListingSnapshot)
            .where(ListingSnapshot.store_id == fig.store_id)
            .order_by(ListingSnapshot.captured_at, ListingSnapshot.id)
        )
    )
    signers: dict[int, set[str]] = defaultdict(set)
    app_ids = {s.app_id for s in snaps if s.app_id is not None}
    for app_id, signer in session.execute(
        select(AppVersion.app_id, AppVersion.signer_sha256).where(
            AppVersion.app_id.in_(app_ids), AppVersion.signer_sha256 != ""
        )
    ).all():
        signers[app_id].add(signer.lower())
    idents: dict[int, Identity] = {}
    index: dict[tuple[str, str], list[ListingSnapshot]] = defaultdict(list)  # candidate lookup
    for snap in snaps:
        ident = Identity(
            snap.app_id,
            snap.package,
            _norm(snap.app_name),
            _norm(snap.developer_name),
            frozenset(signers.get(snap.app_id, ())) if snap.app_id is not None else frozenset(),
        )
        idents[snap.id] = ident
        keys = [("pkg", ident.package), ("app", str(ident.app_id))] + [("sig", x) for x in ident.signers]
        if ident.name and ident.developer:
            keys.append(("nd", ident.name + "\x00" + ident.developer))
        for k in keys:
            index[k].append(snap)

    def candidates(removed: Identity) -> list[ListingSnapshot]:
        keys = [("pkg", removed.package), ("app", str(removed.app_id))]
        keys += [("sig", x) for x in removed.signers]
        keys.append(("nd", removed.name + "\x00" + removed.developer))
        found = {snap.id: snap for k in keys for snap in index.get(k, ())}
        return sorted(found.values(), key=lambda x: (x.captured_at, x.id))

    on_store = apps_on_store(session, fig.store_id)
    for order in orders:
        if not order_concerns_store(session, order, fig.store_id, on_store):
            continue
        confirmed = session.scalar(
            select(RemovalConfirmation.confirmed_at).where(
                RemovalConfirmation.notice_id == order.notice.id, RemovalConfirmation.store_id == fig.store_id
            )
        )
        if confirmed is None:
            fig.open_orders.append(
                OpenOrder(
                    order.notice.id,
                    order.notice.notice_no,
                    order.at,
                    _hours(order.at, now),
                    [a.package for a in order.apps.values()],
                )
            )
        in_window = since <= order.at < until
        if confirmed is not None and in_window:
            to_confirm.append(_hours(order.at, confirmed))
        gone_at: dict[int, datetime] = {}
        for app_id, removed in order.apps.items():
            seen_gone = False
            for s in candidates(removed):
                if s.captured_at <= order.at:
                    continue
                how = same_app(idents[s.id], removed)
                if how is None:
                    continue
                if not s.listed:
                    seen_gone = True
                    gone_at.setdefault(app_id, s.captured_at)
                elif (seen_gone or (confirmed is not None and s.captured_at > confirmed)) and (
                    since <= s.captured_at < until
                ):
                    fig.relistings.append(
                        Relisting(order.notice.notice_no, s.id, s.app_name, s.package, how, s.captured_at)
                    )
        if in_window and gone_at and len(gone_at) == len(order.apps):
            to_gone.append(_hours(order.at, max(gone_at.values())))
    fig.median_hours_to_confirmation = statistics.median(to_confirm) if to_confirm else None
    fig.median_hours_to_disappearance = statistics.median(to_gone) if to_gone else None


@dataclass
class OrderRow:
    notice_id: int
    notice_no: str
    title: str
    store_id: int
    ordered_at: datetime
    published: bool
    apps: list[str]
    confirmed_at: datetime | None
    age_hours: float


def removal_order_rows(session: Session, store_ids: list[int], *, now: datetime) -> list[OrderRow]:
    """Each removal order × each of ``store_ids`` it concerns, newest first, with the store's confirmation."""
    now = utc_naive(now)
    rows = []
    on_store = {sid: apps_on_store(session, sid) for sid in store_ids}
    for order in reversed(removal_orders(session)):
        for store_id in store_ids:
            if not order_concerns_store(session, order, store_id, on_store[store_id]):
                continue
            confirmed = session.scalar(
                select(RemovalConfirmation.confirmed_at).where(
                    RemovalConfirmation.notice_id == order.notice.id, RemovalConfirmation.store_id == store_id
                )
            )
            rows.append(
                OrderRow(
                    order.notice.id,
                    order.notice.notice_no,
                    order.notice.title,
                    store_id,
                    order.at,
                    order.notice.published,
                    [a.package for a in order.apps.values()],
                    confirmed,
                    _hours(order.at, confirmed or now),
                )
            )
    return rows


def order_of(session: Session, notice_id: int) -> RemovalOrder | None:
    return next((o for o in removal_orders(session) if o.notice.id == notice_id), None)


def confirm_removal(
    session: Session, notice_id: int, store_id: int, *, note: str, actor: Actor, now: datetime
) -> RemovalConfirmation | None:
    """The store confirms it removed the apps of removal order ``notice_id`` (idempotent). None when the order
    does not exist or is not addressed to the store (its case came from it, or one of its apps is listed there)."""
    order = order_of(session, notice_id)
    if order is None or not order_concerns_store(session, order, store_id):
        return None
    existing = session.scalar(
        select(RemovalConfirmation).where(
            RemovalConfirmation.notice_id == notice_id, RemovalConfirmation.store_id == store_id
        )
    )
    if existing is not None:
        return existing
    rc = RemovalConfirmation(
        notice_id=notice_id,
        store_id=store_id,
        confirmed_by=actor.user_id,
        confirmed_at=utc_naive(now),
        note=note,
    )
    session.add(rc)
    audit.record_by(
        session,
        actor,
        now=now,
        entity="notice",
        entity_id=notice_id,
        action="confirm_removal",
        reason=note,
    )
    session.flush()
    return rc
