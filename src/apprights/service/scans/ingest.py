"""Ingest scan reports (``apprights-report/1``) in bulk: validated by hand (fast), written with executemany.

A report is identified by the sha256 of its canonical JSON, so the same report posted twice is stored once.
Bad reports are reported per line with an ``InputError`` message; they never stop the batch.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Table, insert, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from apprights.errors import InputError
from apprights.service.apps.models import App, AppVersion
from apprights.service.db import utc_naive
from apprights.service.orgs.models import Sdk, SdkVendor
from apprights.service.scans.models import Finding, ScanRun
from apprights.service.stores.models import Store

REPORT_FORMAT = "apprights-report/1"
MAX_FINDINGS = 5000
MAX_EVIDENCE_CHARS = 4000
MAX_LINE_BYTES = 16 * 1024 * 1024
SEVERITIES = frozenset({"high", "medium", "low", "info"})
CONFIDENCES = frozenset({"declared", "present", "reachable", "observed", "observed_in_violation"})
SUBJECT_KINDS = frozenset({"app", "sdk", "platform"})
_PACKAGE = re.compile(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+")
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


@dataclass
class ParsedReport:
    sha256: str
    package: str
    label: str
    developer: str
    version_name: str
    version_code: int
    apk_sha256: str
    signer_sha256: str
    tool_name: str
    tool_version: str
    ruleset: str
    knowledge: str
    store_code: str
    findings: list[dict[str, Any]]
    sdks: list[tuple[str, str, str, str]]  # (key, name, category, vendor)
    line: int = 0  # line of a JSON-Lines batch it came from (0: the payload was one report)


@dataclass
class IngestResult:
    received: int = 0
    stored: int = 0
    duplicates: int = 0
    findings: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    scan_run_ids: list[int] = field(default_factory=list)
    # per item, in submission order: (where, line, outcome accepted|duplicate|rejected, scan run id, message)
    outcomes: list[tuple[str, int, str, int | None, str]] = field(default_factory=list)


def _s(d: dict[str, Any], key: str, where: str, *, cap: int, required: bool = False) -> str:
    v = d.get(key)
    if v is None:
        if required:
            raise InputError(where, f"missing {key!r}")
        return ""
    if not isinstance(v, str):
        raise InputError(where, f"{key!r} must be a string")
    v = v.replace("\x00", "")  # PostgreSQL text cannot hold NUL; it carries no meaning here
    if required and not v:
        raise InputError(where, f"{key!r} is empty")
    return v[:cap]


def _obj(v: Any, where: str, what: str) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise InputError(where, f"{what} must be an object")
    return v


def _list(v: Any, where: str, what: str) -> list[Any]:
    if v is None:
        return []
    if not isinstance(v, list):
        raise InputError(where, f"{what} must be a list")
    return v


def parse_report(doc: Any, where: str) -> ParsedReport:
    """Validate one decoded report; raises ``InputError`` naming ``where`` and the problem."""
    d = _obj(doc, where, "report")
    if d.get("format") != REPORT_FORMAT:
        raise InputError(where, f"format must be {REPORT_FORMAT!r}, got {str(d.get('format'))[:60]!r}")
    canonical = orjson.dumps(d, option=orjson.OPT_SORT_KEYS)
    app = _obj(d.get("app"), where, "app")
    package = _s(app, "package", where, cap=256, required=True)
    if len(package) > 255 or not _PACKAGE.fullmatch(package):
        raise InputError(where, f"app.package is not a package name: {package[:80]!r}")
    vcode = app.get("version_code", 0)
    if isinstance(vcode, bool) or not isinstance(vcode, int) or not 0 <= vcode < 2**31:
        raise InputError(where, "app.version_code must be an integer 0..2^31-1")
    signers = _list(app.get("signer_sha256"), where, "app.signer_sha256")
    signer = signers[0] if signers and isinstance(signers[0], str) and _SHA256.fullmatch(signers[0]) else ""
    apk_sha = ""
    for inp in _list(d.get("inputs"), where, "inputs")[:50]:
        if isinstance(inp, dict) and inp.get("kind") == "apk":
            sha = inp.get("sha256")
            if isinstance(sha, str) and _SHA256.fullmatch(sha):
                apk_sha = sha.lower()
                break
    tool = d.get("tool") if isinstance(d.get("tool"), dict) else {}
    assert isinstance(tool, dict)
    raw_findings = _list(d.get("findings"), where, "findings")
    if len(raw_findings) > MAX_FINDINGS:
        raise InputError(where, f"more than {MAX_FINDINGS} findings")
    findings: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, rf in enumerate(raw_findings):
        fw = f"{where} findings[{i}]"
        f = _obj(rf, fw, "finding")
        fp = _s(f, "fingerprint", fw, cap=129, required=True)
        if len(fp) > 128:
            raise InputError(fw, "fingerprint longer than 128 characters")
        if fp in seen:
            continue
        seen.add(fp)
        pt = f.get("problem_type")
        if isinstance(pt, bool) or not isinstance(pt, int) or not 1 <= pt <= 10:
            raise InputError(fw, "problem_type must be an integer 1..10")
        sev = f.get("severity")
        if sev not in SEVERITIES:
            raise InputError(fw, f"severity must be one of {sorted(SEVERITIES)}")
        conf = f.get("confidence")
        if conf not in CONFIDENCES:
            raise InputError(fw, f"confidence must be one of {sorted(CONFIDENCES)}")
        subj = _obj(f.get("subject"), fw, "subject")
        kind = subj.get("kind")
        if kind not in SUBJECT_KINDS:
            raise InputError(fw, f"subject.kind must be one of {sorted(SUBJECT_KINDS)}")
        title = f.get("title") if isinstance(f.get("title"), dict) else {}
        assert isinstance(title, dict)
        evidence = _list(f.get("evidence"), fw, "evidence")[:10]
        ev = orjson.dumps(evidence).decode("utf-8")
        if len(ev) > MAX_EVIDENCE_CHARS:
            ev = orjson.dumps(evidence[:2]).decode("utf-8")[:MAX_EVIDENCE_CHARS]
            ev = orjson.dumps([{"source": "truncated", "text": ev}]).decode("utf-8")
        findings.append(
            {
                "fingerprint": fp,
                "rule": _s(f, "rule", fw, cap=128, required=True),
                "problem_type": pt,
                "severity": sev,
                "confidence": conf,
                "subject_kind": kind,
                "subject_key": _s(subj, "id", fw, cap=200, required=True),
                "subject_name": _s(subj, "name", fw, cap=200),
                "title_zh": _s(title, "zh", fw, cap=500),
                "title_en": _s(title, "en", fw, cap=500),
                "evidence": ev,
            }
        )
    sdks: list[tuple[str, str, str, str]] = []
    for s in _list(d.get("sdks"), where, "sdks")[:500]:
        if isinstance(s, dict) and isinstance(s.get("id"), str) and s["id"]:
            name = s.get("name") if isinstance(s.get("name"), str) else s["id"]
            cat = s.get("category") if isinstance(s.get("category"), str) else ""
            vendor = s.get("vendor") if isinstance(s.get("vendor"), str) else ""
            sdks.append((s["id"][:128], str(name)[:200], str(cat)[:64], str(vendor).strip()[:200]))
    return ParsedReport(
        sha256=hashlib.sha256(canonical).hexdigest(),
        package=package,
        label=_s(app, "label", where, cap=200),
        developer=_s(app, "developer", where, cap=200),
        version_name=_s(app, "version_name", where, cap=100),
        version_code=vcode,
        apk_sha256=apk_sha,
        signer_sha256=signer.lower(),
        tool_name=_s(tool, "name", where, cap=100),
        tool_version=_s(tool, "version", where, cap=100),
        ruleset=_s(tool, "ruleset", where, cap=100),
        knowledge=_s(tool, "knowledge", where, cap=100),
        store_code=_s(d, "store", where, cap=64),
        findings=findings,
        sdks=sdks,
    )


def _parse_safely(doc: Any, where: str) -> ParsedReport | InputError:
    try:
        return parse_report(doc, where)
    except InputError as e:
        return e
    except (RecursionError, ValueError, TypeError) as e:  # e.g. nesting too deep to re-serialise
        return InputError(where, f"unreadable report: {type(e).__name__}")


def parse_payload(data: bytes, source: str) -> Iterator[ParsedReport | InputError]:
    """One report (a JSON object) or a JSON-Lines batch: yields parsed reports and per-line errors."""
    text_start = data.lstrip()[:1]
    if text_start == b"{":
        try:
            doc = orjson.loads(data)
        except orjson.JSONDecodeError:
            doc = None  # not one object: try JSON Lines
        if doc is not None:
            yield _parse_safely(doc, source)
            return
    for n, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{source}:{n}"
        if len(line) > MAX_LINE_BYTES:
            yield InputError(where, "line too long")
            continue
        try:
            doc = orjson.loads(line)
        except orjson.JSONDecodeError as e:
            yield InputError(where, f"not valid JSON: {str(e)[:120]}")
            continue
        item = _parse_safely(doc, where)
        if isinstance(item, ParsedReport):
            item.line = n
        yield item


def _insert_ignore(session: Session, table: Table, rows: Sequence[dict[str, Any]], keys: list[str]) -> None:
    """INSERT … ON CONFLICT DO NOTHING (rows another writer added meanwhile are not an error)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(table).on_conflict_do_nothing(index_elements=keys), rows)
    elif dialect == "sqlite":
        session.execute(sqlite.insert(table).on_conflict_do_nothing(index_elements=keys), rows)
    else:
        session.execute(insert(table), rows)


def _executemany(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Plain DBAPI executemany for the big tables: no per-row SQLAlchemy parameter processing (the values are
    already plain str/int/None)."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    cols = list(rows[0])
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        # COPY is PostgreSQL's bulk path: an order of magnitude faster than batched INSERTs.
        prep = dialect.identifier_preparer
        dbapi_conn: Any = session.connection().connection.dbapi_connection
        copy_sql = f"COPY {prep.quote(table.name)} ({', '.join(prep.quote(c) for c in cols)}) FROM STDIN"
        with dbapi_conn.cursor() as cur, cur.copy(copy_sql) as copy:
            for r in rows:
                copy.write_row(tuple(r[c] for c in cols))
        return
    mark = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
    if mark is None:
        session.execute(insert(table), rows)
        return
    prep = dialect.identifier_preparer
    sql = (
        f"INSERT INTO {prep.quote(table.name)} ({', '.join(prep.quote(c) for c in cols)}) "
        f"VALUES ({', '.join([mark] * len(cols))})"
    )
    session.connection().exec_driver_sql(sql, [tuple(r[c] for c in cols) for r in rows])


def _chunks(items: Sequence[Any], n: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _in_chunks(values: Iterable[Any], n: int = 500) -> Iterator[list[Any]]:
    buf: list[Any] = []
    for v in values:
        buf.append(v)
        if len(buf) >= n:
            yield buf
            buf = []
    if buf:
        yield buf


def ingest_reports(
    session: Session,
    reports: Sequence[ParsedReport],
    *,
    now: datetime,
    agency_id: int | None = None,
    user_id: int | None = None,
    store_id: int | None = None,
    result: IngestResult | None = None,
    chunk: int = 1000,
    submission_id: int | None = None,
    campaign_id: int | None = None,
) -> IngestResult:
    """Store ``reports`` (already parsed), as part of campaign ``campaign_id`` if given; the caller commits."""
    res = result or IngestResult()
    ts = utc_naive(now)
    app_t: Table = App.__table__  # type: ignore[assignment]
    ver_t: Table = AppVersion.__table__  # type: ignore[assignment]
    run_t: Table = ScanRun.__table__  # type: ignore[assignment]
    fnd_t: Table = Finding.__table__  # type: ignore[assignment]
    sdk_t: Table = Sdk.__table__  # type: ignore[assignment]
    vendor_t: Table = SdkVendor.__table__  # type: ignore[assignment]
    store_ids: dict[str, int] = {}
    for batch in _chunks(reports, chunk):
        res.received += len(batch)
        # 1. drop reports already stored (and repeats inside the batch)
        shas = {r.sha256 for r in batch}
        existing: dict[str, int | None] = {}
        for part in _in_chunks(shas):
            existing.update(
                session.execute(
                    select(ScanRun.report_sha256, ScanRun.id).where(ScanRun.report_sha256.in_(part))
                ).all()
            )
        fresh: list[ParsedReport] = []
        for r in batch:
            if r.sha256 in existing:
                res.duplicates += 1
                res.outcomes.append(
                    (f"line {r.line}", r.line, "duplicate", existing[r.sha256], "already stored")
                )
                continue
            existing[r.sha256] = None
            fresh.append(r)
        if not fresh:
            continue
        # 2. stores named in reports
        for code in {r.store_code for r in fresh if r.store_code} - store_ids.keys():
            sid = session.scalar(select(Store.id).where(Store.code == code))
            if sid is not None:
                store_ids[code] = sid
        # 3. apps
        labels = {r.package: (r.label, r.developer) for r in fresh}
        _insert_ignore(
            session,
            app_t,
            [
                {"package": p, "name": lab, "developer": dev, "created_at": ts}
                for p, (lab, dev) in labels.items()
            ],
            ["package"],
        )
        app_ids: dict[str, int] = {}
        for part in _in_chunks(labels):
            app_ids.update(session.execute(select(App.package, App.id).where(App.package.in_(part))).all())
        # 4. versions
        vkeys = {(app_ids[r.package], r.version_name, r.version_code): r for r in fresh}
        _insert_ignore(
            session,
            ver_t,
            [
                {
                    "app_id": k[0],
                    "version_name": k[1],
                    "version_code": k[2],
                    "apk_sha256": r.apk_sha256,
                    "signer_sha256": r.signer_sha256,
                    "first_seen": ts,
                }
                for k, r in vkeys.items()
            ],
            ["app_id", "version_name", "version_code"],
        )
        ver_ids: dict[tuple[int, str, int], int] = {}
        for part in _in_chunks(vkeys, 300):
            q = select(
                AppVersion.app_id, AppVersion.version_name, AppVersion.version_code, AppVersion.id
            ).where(tuple_(AppVersion.app_id, AppVersion.version_name, AppVersion.version_code).in_(part))
            for a, vn, vc, vid in session.execute(q).all():
                ver_ids[(a, vn, vc)] = vid
        # 5. SDKs seen
        sdk_rows = {k: (n, c, v) for r in fresh for k, n, c, v in r.sdks}
        vendors = {v for _n, _c, v in sdk_rows.values() if v}
        _insert_ignore(session, vendor_t, [{"name": v} for v in vendors], ["name"])
        vendor_ids: dict[str, int] = {}
        for part in _in_chunks(vendors):
            vendor_ids.update(
                session.execute(select(SdkVendor.name, SdkVendor.id).where(SdkVendor.name.in_(part))).all()
            )
        _insert_ignore(
            session,
            sdk_t,
            [
                {"key": k, "name": n, "category": c, "vendor_id": vendor_ids.get(v)}
                for k, (n, c, v) in sdk_rows.items()
            ],
            ["key"],
        )
        # 6. scan runs
        run_rows = []
        for r in fresh:
            run_rows.append(
                {
                    "report_sha256": r.sha256,
                    "app_id": app_ids[r.package],
                    "app_version_id": ver_ids[(app_ids[r.package], r.version_name, r.version_code)],
                    "store_id": store_ids.get(r.store_code, store_id),
                    "campaign_id": campaign_id,
                    "agency_id": agency_id,
                    "submitted_by": user_id,
                    "tool_name": r.tool_name,
                    "tool_version": r.tool_version,
                    "ruleset": r.ruleset,
                    "knowledge": r.knowledge,
                    "finding_count": len(r.findings),
                    "received_at": ts,
                    "submission_id": submission_id,
                    "submission_line": r.line,
                }
            )
        session.execute(insert(run_t), run_rows)
        run_ids: dict[str, int] = {}
        for part in _in_chunks([r.sha256 for r in fresh]):
            run_ids.update(
                session.execute(
                    select(ScanRun.report_sha256, ScanRun.id).where(ScanRun.report_sha256.in_(part))
                ).all()
            )
        # 7. findings, one row each
        frows: list[dict[str, Any]] = []
        for r, run in zip(fresh, run_rows, strict=True):
            rid = run_ids[r.sha256]
            res.scan_run_ids.append(rid)
            res.outcomes.append((f"line {r.line}", r.line, "accepted", rid, ""))
            for f in r.findings:
                frows.append(
                    {
                        **f,
                        "scan_run_id": rid,
                        "app_id": run["app_id"],
                        "app_version_id": run["app_version_id"],
                        "status": "pending",
                        "review_reason": "",
                    }
                )
        _executemany(session, fnd_t, frows)
        res.stored += len(fresh)
        res.findings += len(frows)
    return res


def ingest_payload(
    session: Session,
    data: bytes,
    source: str,
    *,
    now: datetime,
    agency_id: int | None = None,
    user_id: int | None = None,
    store_id: int | None = None,
    allowed_packages: set[str] | None = None,
    submission_id: int | None = None,
    campaign_id: int | None = None,
) -> IngestResult:
    """Parse and store a report or a JSON-Lines batch; ``allowed_packages`` limits an enterprise to its apps."""
    res = IngestResult()
    good: list[ParsedReport] = []
    for item in parse_payload(data, source):
        if isinstance(item, InputError):
            res.errors.append((item.path, item.problem))
            res.received += 1
            line = _line_of(item.path, source)
            res.outcomes.append((item.path, line, "rejected", None, item.problem))
        elif allowed_packages is not None and item.package not in allowed_packages:
            msg = f"{item.package}: 不是本企业的应用 / not one of your apps"
            where = f"{source}:{item.line}" if item.line else source
            res.errors.append((where, msg))
            res.received += 1
            res.outcomes.append((where, item.line, "rejected", None, msg))
        else:
            good.append(item)
    ingest_reports(
        session,
        good,
        now=now,
        agency_id=agency_id,
        user_id=user_id,
        store_id=store_id,
        result=res,
        submission_id=submission_id,
        campaign_id=campaign_id,
    )
    res.outcomes.sort(key=lambda o: o[1])
    return res


def _line_of(where: str, source: str) -> int:
    """The line number in an error's ``where`` (``source:N`` or ``source:N findings[i]``); 0 if none."""
    rest = where[len(source) :] if where.startswith(source) else ""
    if rest.startswith(":"):
        num = rest[1:].split(" ", 1)[0]
        if num.isdigit():
            return int(num)
    return 0
