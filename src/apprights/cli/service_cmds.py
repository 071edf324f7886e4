"""Service commands the main CLI mounts: ``serve``, ``db upgrade``, ``db rotate-key``, ``ingest``, ``cases escalate-overdue``,
``notices render``. Thin: they resolve settings and call the service layer."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from apprights.errors import EXIT_BAD_INPUT, AppRightsError, InputError

log = logging.getLogger(__name__)

DbOpt = Annotated[str | None, typer.Option("--db", help="database URL (default: SQLite file under ./var)")]


def _settings(db: str | None):  # type: ignore[no-untyped-def]
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from apprights.service.settings import Settings

    if db:
        try:
            make_url(db)
        except ArgumentError:
            raise _fail(f"--db: not a database URL: {db!r}") from None
    return Settings.from_env(db_url=db)


@contextmanager
def _database_errors() -> Iterator[None]:
    """A database that cannot be reached or opened is one line on stderr and exit 2, not a traceback."""
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

    try:
        yield
    except (OperationalError, ArgumentError, NoSuchModuleError) as e:
        raise _fail(
            f"database: {str(e.orig if isinstance(e, OperationalError) else e).strip()[:300]}"
        ) from None


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_BAD_INPUT)


def serve_cmd(
    db: DbOpt = None,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            help="service processes (uvicorn workers) sharing the database; each also runs a job worker",
        ),
    ] = 1,
) -> None:
    """Run the management service and its web pages (creates and migrates the database first)."""
    import os

    import uvicorn

    from apprights.service.app import create_app, prepare, system_clock
    from apprights.service.db import make_engine, make_sessionmaker, upgrade

    if workers < 1 or workers > 64:
        raise _fail(f"--workers: must be between 1 and 64, not {workers}")
    settings = _settings(db)
    with _database_errors():
        upgrade(settings.resolved_db_url())  # once, here: never per worker process
    logging.basicConfig(level=logging.INFO)
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port)
        return
    settings = dataclasses.replace(settings, worker_processes=workers)
    engine = make_engine(settings.resolved_db_url())
    try:
        with _database_errors():
            prepare(settings, make_sessionmaker(engine), system_clock())
    finally:
        engine.dispose()
    # each worker process builds its app from the environment (Settings.from_env): pass what was resolved here
    os.environ["APPRIGHTS_DB"] = settings.resolved_db_url()
    os.environ["APPRIGHTS_DATA_DIR"] = str(settings.data_dir.resolve())
    os.environ["APPRIGHTS_WORKERS"] = str(workers)
    if settings.key_file is not None and not os.environ.get("APPRIGHTS_SECRET_KEY"):
        os.environ["APPRIGHTS_KEY_FILE"] = str(settings.key_file.resolve())
    uvicorn.run("apprights.service.app:create_app_from_env", factory=True, workers=workers, host=host, port=port)


db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(db: DbOpt = None) -> None:
    """Create or migrate the database to the latest schema."""
    from apprights.service.db import upgrade

    url = _settings(db).resolved_db_url()
    with _database_errors():
        upgrade(url)
    typer.echo(f"database at head: {url}")


@db_app.command("rotate-key")
def db_rotate_key(db: DbOpt = None) -> None:
    """Re-encrypt complainants' personal data with a new random key and replace the key file (the old file is
    kept beside it as ``*.retired-<time>`` until you have backed up the new one and delete it)."""
    import os
    import shutil

    from apprights.service import keys
    from apprights.service.db import make_engine, make_sessionmaker, session_scope
    from apprights.service.settings import Settings

    if os.environ.get("APPRIGHTS_SECRET_KEY"):
        raise _fail(
            "the key is given by APPRIGHTS_SECRET_KEY: rotate-key rotates a key file (unset the variable; "
            "APPRIGHTS_KEY_FILE names the file)"
        )
    settings = _settings(db)
    key_file = settings.key_file
    assert key_file is not None  # from_env always sets it when the key comes from a file
    new = keys.new_key()
    target = keys.default_key_path(settings.data_dir, os.environ)
    if os.environ.get("APPRIGHTS_KEY_FILE"):
        target = Path(os.environ["APPRIGHTS_KEY_FILE"])
    staged = target.with_name(target.name + ".new")
    if staged.exists():
        raise _fail(f"{staged}: a previous rotation did not finish; check it and remove the file")
    keys.write_key(staged, new)  # on disk before the database commits: the new key is never lost
    engine = make_engine(settings.resolved_db_url())
    try:
        with _database_errors(), session_scope(make_sessionmaker(engine)) as session:
            n = keys.rotate(session, settings.fernet_key(), Settings(secret_key=new).fernet_key())
    except InputError as e:
        staged.unlink()
        raise _fail(f"{e.path}: {e.problem}") from None
    except typer.Exit:
        staged.unlink()
        raise
    finally:
        engine.dispose()
    # the old key leaves the data directory too (a legacy DATA_DIR/secret.key is retired next to the new key)
    retired = target.with_name(target.name + keys.retire_suffix(datetime.now(UTC)))
    shutil.move(key_file, retired)
    staged.rename(target)
    typer.echo(f"re-encrypted {n} complaint(s); new key in {target}; old key kept as {retired}")


def _file_groups(
    files: list[Path], max_files: int = 200, max_bytes: int = 64 * 1024 * 1024
) -> Iterator[list[tuple[Path, bytes]]]:
    """The files with their bytes, a few hundred (or a few dozen MB) at a time: one transaction per group."""
    group: list[tuple[Path, bytes]] = []
    size = 0
    for f in files:
        data = f.read_bytes()
        group.append((f, data))
        size += len(data)
        if len(group) >= max_files or size >= max_bytes:
            yield group
            group, size = [], 0
    if group:
        yield group


def ingest_cmd(
    path: Annotated[Path, typer.Argument(help="report JSON, JSON-Lines file, or a directory of them")],
    db: DbOpt = None,
    store: Annotated[str | None, typer.Option("--store", help="store code the apps were taken from")] = None,
    campaign: Annotated[
        int | None,
        typer.Option("--campaign", min=1, help="id of the campaign (专项行动) the reports belong to"),
    ] = None,
) -> None:
    """Ingest scan reports into the service database (idempotent)."""
    from sqlalchemy import select

    from apprights.service.campaigns.models import Campaign
    from apprights.service.db import make_engine, make_sessionmaker, session_scope, upgrade
    from apprights.service.scans.ingest import ingest_payload
    from apprights.service.stores.models import Store
    from apprights.service.submissions import service as submissions

    if not path.exists():
        raise _fail(f"{path}: no such file or directory")
    files = (
        sorted(p for p in path.rglob("*") if p.suffix in (".json", ".jsonl") and p.is_file())
        if path.is_dir()
        else [path]
    )
    settings = _settings(db)
    url = settings.resolved_db_url()
    with _database_errors():
        upgrade(url)
    engine = make_engine(url)
    total_stored = total_dup = total_err = 0
    try:
        factory = make_sessionmaker(engine)
        store_id = None
        if store:
            with session_scope(factory) as session:
                store_id = session.scalar(select(Store.id).where(Store.code == store))
            if store_id is None:
                raise _fail(f"unknown store {store!r}")
        if campaign is not None:
            with session_scope(factory) as session:
                if session.get(Campaign, campaign) is None:
                    raise _fail(f"unknown campaign {campaign}")
        for group in _file_groups(files):
            now = datetime.now(UTC)
            with session_scope(factory) as session:
                # the files' bytes are kept and their rows committed before any is parsed: nothing is lost
                subs = []
                for f, data in group:
                    sub = submissions.receive(
                        session,
                        settings.data_dir,
                        kind="scan_report",
                        channel="cli",
                        content=data,
                        now=now,
                        filename=f.name,
                        content_type="application/x-ndjson" if f.suffix == ".jsonl" else "application/json",
                        actor="cli",
                        store_id=store_id,
                        sync=False,  # the operator's own files: no fsync each (bulk directories stay fast)
                    )
                    sub.campaign_id = campaign
                    subs.append(sub)
                session.commit()
                for (f, data), sub in zip(group, subs, strict=True):
                    res = ingest_payload(
                        session,
                        data,
                        str(f),
                        now=now,
                        store_id=store_id,
                        submission_id=sub.id,
                        campaign_id=campaign,
                    )
                    submissions.finish(
                        sub,
                        received=res.received,
                        accepted=res.stored,
                        errors=res.errors,
                        duplicates=res.duplicates,
                    )
                    total_stored += res.stored
                    total_dup += res.duplicates
                    total_err += len(res.errors)
                    for where, msg in res.errors[:20]:
                        typer.echo(f"error: {where}: {msg}", err=True)
    finally:
        engine.dispose()
    typer.echo(f"stored {total_stored} reports, {total_dup} already present, {total_err} rejected")
    if total_err and not total_stored and not total_dup:
        raise typer.Exit(EXIT_BAD_INPUT)


cases_app = typer.Typer(help="Rectification cases.", no_args_is_help=True)


@cases_app.command("escalate-overdue")
def escalate_overdue_cmd(
    now: Annotated[str | None, typer.Option("--now", help="ISO date/time to judge deadlines against")] = None,
    db: DbOpt = None,
) -> None:
    """Move overdue cases on (idempotent): notice past deadline → not rectified → 通报; 通报 past deadline → 下架."""
    from apprights.service.cases.flows import escalate_overdue
    from apprights.service.db import make_engine, make_sessionmaker, session_scope, upgrade

    try:
        when = datetime.fromisoformat(now) if now else datetime.now(UTC)
    except ValueError:
        raise _fail(f"--now: not an ISO date/time: {now!r}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    url = _settings(db).resolved_db_url()
    with _database_errors():
        upgrade(url)
    engine = make_engine(url)
    try:
        with session_scope(make_sessionmaker(engine)) as session:
            moved = escalate_overdue(session, when)
    except AppRightsError as e:
        raise _fail(str(e)) from None
    finally:
        engine.dispose()
    for case_id, frm, to in moved:
        typer.echo(f"case {case_id}: {frm} -> {to}")
    typer.echo(f"{len(moved)} case(s) moved")


notices_app = typer.Typer(
    help="Notices: render rectification notices, 通报 batches and removal orders.", no_args_is_help=True
)


@notices_app.command("render")
def render_cmd(
    ref: Annotated[str, typer.Argument(help="notice id or number (a case id with --kind rectification)")],
    out: Annotated[Path, typer.Option("--out", help="output file")],
    kind: Annotated[str | None, typer.Option("--kind", help="rectification|public|removal")] = None,
    fmt: Annotated[str, typer.Option("--format", help="html|pdf|xlsx")] = "html",
    db: DbOpt = None,
) -> None:
    """Render a notice from the database as HTML, PDF or XLSX."""
    from sqlalchemy import select

    from apprights.service.db import make_engine, make_sessionmaker, session_scope
    from apprights.service.documents import render_html, render_pdf, render_xlsx
    from apprights.service.notices.models import Notice, NoticeCase
    from apprights.service.notices.service import build_document

    if fmt not in ("html", "pdf", "xlsx"):
        raise _fail(f"--format must be html, pdf or xlsx, got {fmt!r}")
    if kind not in (None, "rectification", "public", "removal"):
        raise _fail(f"--kind must be rectification, public or removal, got {kind!r}")
    engine = make_engine(_settings(db).resolved_db_url())
    try:
        with _database_errors(), session_scope(make_sessionmaker(engine)) as session:
            q = select(Notice).where(Notice.notice_no == ref)
            notice = session.scalars(q).first()
            if notice is None and ref.isdigit() and kind == "rectification":
                notice = session.scalars(
                    select(Notice)
                    .join(NoticeCase, NoticeCase.notice_id == Notice.id)
                    .where(NoticeCase.case_id == int(ref), Notice.kind == "rectification")
                    .order_by(Notice.id.desc())
                ).first()
            if notice is None and ref.isdigit():
                notice = session.get(Notice, int(ref))
            if notice is None or (kind is not None and notice.kind != kind):
                raise _fail(f"no {kind or ''} notice {ref!r}".replace("  ", " "))
            doc = build_document(session, notice)
            data = (
                render_html(doc).encode("utf-8")
                if fmt == "html"
                else render_pdf(doc)
                if fmt == "pdf"
                else render_xlsx(doc)
            )
    except (InputError, AppRightsError) as e:
        raise _fail(str(e)) from None
    finally:
        engine.dispose()
    out.write_bytes(data)
    typer.echo(f"wrote {out} ({len(data)} bytes)")


def ingest_listings_cmd(
    path: Annotated[
        Path, typer.Argument(help="apprights-listing/1 file (object, array, JSON Lines) or a directory")
    ],
    db: DbOpt = None,
) -> None:
    """Ingest store listings (idempotent per file): removal checks and the engine's listing rules (types 9/10)."""
    from apprights.extractors.listing import MAX_BYTES
    from apprights.knowledge import Knowledge
    from apprights.service.db import make_engine, make_sessionmaker, session_scope, upgrade
    from apprights.service.scans.selfcheck import manifest_lookup
    from apprights.service.stores.supervision import ingest_listings
    from apprights.service.submissions import service as submissions

    if not path.exists():
        raise _fail(f"{path}: no such file or directory")
    files = (
        sorted(p for p in path.rglob("*") if p.suffix in (".json", ".jsonl") and p.is_file())
        if path.is_dir()
        else [path]
    )
    if not files:
        raise _fail(f"{path}: no .json or .jsonl files")
    settings = _settings(db)
    url = settings.resolved_db_url()
    with _database_errors():
        upgrade(url)
    knowledge = Knowledge.load()  # once for the whole command
    engine = make_engine(url)
    stored = rejected = duplicates = findings = rule_findings = 0
    problems: list[str] = []
    try:
        factory = make_sessionmaker(engine)
        for f in files:
            try:
                if f.stat().st_size > MAX_BYTES:
                    raise InputError(str(f), f"larger than {MAX_BYTES} bytes")
                raw = f.read_bytes()
                now = datetime.now(UTC)
                with _database_errors(), session_scope(factory) as session:
                    # kept and recorded (committed) before it is parsed
                    sub = submissions.receive(
                        session,
                        settings.data_dir,
                        kind="listing",
                        channel="cli",
                        content=raw,
                        now=now,
                        filename=f.name,
                        content_type="application/json",
                        actor="cli",
                    )
                    session.commit()
                    res = ingest_listings(
                        session,
                        settings.data_dir,
                        raw,
                        user_id=None,
                        now=now,
                        grace_hours=settings.listing_grace_hours,
                        knowledge=knowledge,
                        manifests=manifest_lookup(session, settings.data_dir),
                    )
                    if res.rejected:
                        submissions.finish(
                            sub,
                            received=0,
                            accepted=0,
                            errors=[("listings", res.rejected)],
                            outcome="rejected",
                        )
                    elif res.duplicate:
                        submissions.finish(sub, received=res.received, accepted=0, outcome="duplicate")
                    else:
                        submissions.finish(sub, received=res.received, accepted=res.stored, errors=res.errors)
            except (InputError, OSError) as e:
                problems.append(str(e) if isinstance(e, InputError) else f"{f}: {e.strerror or e}")
                rejected += 1
                continue
            if res.rejected:
                problems.append(f"{f}: {res.rejected}")
                rejected += 1
            duplicates += res.duplicate
            stored += res.stored
            findings += len(res.finding_ids)
            rule_findings += len(res.rule_finding_ids)
            problems.extend(f"{f}: {where}: {msg}" for where, msg in res.errors)
    finally:
        engine.dispose()
    if problems and not stored and not duplicates:
        raise _fail(problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    for line in problems[:20]:
        typer.echo(f"error: {line}", err=True)
    typer.echo(
        f"stored {stored} listings from {len(files)} file(s) ({duplicates} already present, {rejected} rejected); "
        f"{rule_findings} listing-rule findings pending review, {findings} removal findings"
    )
