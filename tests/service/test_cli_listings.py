"""``apprights ingest-listings FILE|DIR [--db URL]`` (mounted on the main CLI), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from apprights.cli.main import app as main_app
from tests.service.test_listing_rules import complete

runner = CliRunner()


def _store(url: str, code: str, name: str) -> None:
    from apprights.service.db import make_engine, make_sessionmaker, session_scope
    from apprights.service.stores.models import Store

    engine = make_engine(url)
    with session_scope(make_sessionmaker(engine)) as s:
        s.add(Store(code=code, name=name))
    engine.dispose()


def _count_rule_findings(url: str) -> int:
    from sqlalchemy import func, select

    from apprights.service.db import make_engine, make_sessionmaker, session_scope
    from apprights.service.scans.models import Finding

    engine = make_engine(url)
    with session_scope(make_sessionmaker(engine)) as s:
        n = s.scalar(select(func.count()).select_from(Finding).where(Finding.subject_kind == "platform"))
    engine.dispose()
    return int(n or 0)


def test_ingest_listings_file_and_dir(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPRIGHTS_DATA_DIR", str(tmp_path / "data"))
    _store(db_url, "huawei", "华为应用市场")
    d = tmp_path / "listings"
    d.mkdir()
    (d / "a.json").write_text(json.dumps([complete(icp_filing=None)], ensure_ascii=False), encoding="utf-8")
    (d / "b.jsonl").write_text(
        json.dumps(complete(store="nowhere"), ensure_ascii=False) + "\n", encoding="utf-8"
    )
    r = runner.invoke(main_app, ["ingest-listings", str(d), "--db", db_url])
    assert r.exit_code == 0, r.output
    assert "stored 1 listings from 2 file(s)" in r.output and "unknown store" in r.output
    first = _count_rule_findings(db_url)
    assert first >= 1
    # the raw bytes are kept under the data dir
    assert any((tmp_path / "data" / "files").rglob("*"))
    # again: the same files are duplicates, nothing new
    r = runner.invoke(main_app, ["ingest-listings", str(d / "a.json"), "--db", db_url])
    assert r.exit_code == 0 and "1 already present" in r.output
    assert _count_rule_findings(db_url) == first


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"{not json", "a.json"), (b'{"format": "other/1"}', "a.json"), (None, "no such file")],
)
def test_ingest_listings_bad_input_is_one_line_and_exit_2(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: bytes | None, problem: str
) -> None:
    monkeypatch.setenv("APPRIGHTS_DATA_DIR", str(tmp_path / "data"))
    f = tmp_path / "a.json"
    if content is not None:
        f.write_bytes(content)
    r = runner.invoke(main_app, ["ingest-listings", str(f), "--db", db_url])
    assert r.exit_code == 2, r.output
    lines = [x for x in r.output.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and problem in lines[0], r.output
    assert "Traceback" not in r.output
