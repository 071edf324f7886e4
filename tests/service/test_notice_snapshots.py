"""A published 通报 is immutable: its snapshot (names, versions, problems, HTML/PDF and their sha256) does not
change when the app or the enterprise is renamed later; renames are audited. SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from apprights.service.audit.models import AuditRecord
from apprights.service.audit.service import AuditImmutableError
from apprights.service.notices.models import NoticeSnapshot
from apprights.service.notices.snapshot import freeze, thaw
from tests.service.conftest import World
from tests.service.test_workflow import _report, confirm_all, ingest


def _published_batch(w: World) -> tuple[int, int]:
    run = ingest(w, _report())["scan_run_ids"][0]
    cid = confirm_all(w, run)[0]
    w.ok("ministry", "POST", f"/api/v1/cases/{cid}/notice", json={"issued_on": "2026-09-18"})
    w.clock.now = datetime(2026, 9, 25, 1, 0, tzinfo=UTC)
    w.ok("ministry", "POST", "/api/v1/cases/escalate-overdue")
    batch = w.ok("ministry", "POST", "/api/v1/notices/public", json={"case_ids": [cid]})
    assert batch["html_sha256"] == ""  # a draft has no snapshot
    return cid, w.ok("ministry", "POST", f"/api/v1/notices/{batch['id']}/publish")["id"]


def test_published_notice_survives_renames(world: World) -> None:
    w = world
    cid, nid = _published_batch(w)
    notice = w.ok("public", "GET", f"/api/v1/notices/{nid}")
    html = w.call("public", "GET", f"/api/v1/notices/{nid}/document?format=html").content
    pdf = w.call("public", "GET", f"/api/v1/notices/{nid}/document?format=pdf").content
    assert hashlib.sha256(html).hexdigest() == notice["html_sha256"]
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == notice["pdf_sha256"]
    assert "示例商城" in html.decode() and "福州示例科技有限公司" in html.decode()

    # later: the app and the enterprise are renamed, and a new version is scanned
    w.ok("ministry", "PATCH", f"/api/v1/apps/{w.ids['app']}", json={"name": "改名商城"})
    w.ok("ministry", "PATCH", f"/api/v1/enterprises/{w.ids['enterprise']}", json={"name": "改名科技有限公司"})
    ingest(w, _report("9.9.9", 999))

    again = w.call("public", "GET", f"/api/v1/notices/{nid}/document?format=html").content
    assert again == html
    assert w.call("public", "GET", f"/api/v1/notices/{nid}/document?format=pdf").content == pdf
    assert w.ok("public", "GET", f"/api/v1/notices/{nid}")["html_sha256"] == notice["html_sha256"]
    page = w.client.get(f"/public/notices/{nid}").text  # the public page renders the frozen document
    assert "示例商城" in page and "改名商城" not in page and "福州示例科技有限公司" in page
    # the renames are in the audit log (who, old → new)
    with w.client.app.state.sessionmaker() as s:
        recs = s.scalars(select(AuditRecord).where(AuditRecord.action == "rename")).all()
        assert {(r.entity, r.reason) for r in recs} == {
            ("app", "示例商城 → 改名商城"),
            ("enterprise", "福州示例科技有限公司 → 改名科技有限公司"),
        }
        assert all(r.actor.startswith("ministry:") for r in recs)
    # a new draft made now uses the new names
    assert w.ok("ministry", "GET", f"/api/v1/cases/{cid}")["state"] == "escalated_public"


def test_snapshot_rows_are_append_only(world: World) -> None:
    w = world
    _cid, nid = _published_batch(w)
    factory = w.client.app.state.sessionmaker
    with factory() as s:
        snap = s.get(NoticeSnapshot, nid)
        assert snap is not None
        snap.html = "<p>forged</p>"
        with pytest.raises(AuditImmutableError):
            s.flush()
        s.rollback()
    engine = factory.kw["bind"]
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE notice_snapshots SET html = 'forged'"))
    with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
        conn.execute(text("DELETE FROM notice_snapshots"))
    if engine.dialect.name == "postgresql":
        for table in ("notice_snapshots", "audit_records"):
            with pytest.raises(Exception, match="append-only"), engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {table} CASCADE"))
    with factory() as s:
        assert s.get(NoticeSnapshot, nid) is not None
        assert s.scalar(select(AuditRecord.id).limit(1)) is not None


def test_freeze_and_thaw_round_trip(world: World) -> None:
    w = world
    _cid, nid = _published_batch(w)
    with w.client.app.state.sessionmaker() as s:
        snap = s.get(NoticeSnapshot, nid)
        assert snap is not None
        doc = thaw(snap.document)
        assert freeze(doc) == snap.document
        assert doc.rows[0].app_name == "示例商城"  # type: ignore[union-attr]
