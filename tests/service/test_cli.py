"""The service CLI functions (mounted by the main CLI): db upgrade, ingest, cases escalate-overdue, notices render."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from apprights.cli.service_cmds import cases_app, db_app, ingest_cmd, notices_app
from apprights.service.scans.factory import make_finding, make_report

runner = CliRunner()


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ingested files are kept under the data dir: never the working directory in tests."""
    monkeypatch.setenv("APPRIGHTS_DATA_DIR", str(tmp_path / "data"))


def _app() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(db_app, name="db")
    app.command("ingest")(ingest_cmd)
    app.add_typer(cases_app, name="cases")
    app.add_typer(notices_app, name="notices")
    return app


def test_cli_ingest_escalate_render(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    cli = _app()
    r = runner.invoke(cli, ["db", "upgrade", "--db", url])
    assert r.exit_code == 0, r.output
    reports = tmp_path / "reports"
    reports.mkdir()
    f = make_finding("t1.collect_before_consent", 1, ("app", "com.cli.app", "CLI"), key="k")
    (reports / "a.json").write_text(json.dumps(make_report("com.cli.app", findings=[f])))
    (reports / "b.jsonl").write_text(json.dumps(make_report("com.cli.other", n_findings=3)) + "\nnot json\n")
    r = runner.invoke(cli, ["ingest", str(reports), "--db", url])
    assert r.exit_code == 0, r.output
    assert "stored 2 reports" in r.output and "1 rejected" in r.output
    r = runner.invoke(cli, ["ingest", str(reports), "--db", url])
    assert "stored 0 reports, 2 already present" in r.output
    assert runner.invoke(cli, ["ingest", str(tmp_path / "missing"), "--db", url]).exit_code == 2

    # a case with a notice due 2026-09-24, built through the service layer
    from apprights.service.cases import flows
    from apprights.service.db import make_engine, make_sessionmaker, session_scope
    from apprights.service.notices.service import issue_rectification
    from apprights.service.scans.models import Finding

    engine = make_engine(url)
    now = datetime(2026, 9, 18, 2, tzinfo=UTC)
    with session_scope(make_sessionmaker(engine)) as s:
        finding = s.query(Finding).filter_by(rule="t1.collect_before_consent").one()
        case = flows.review_finding(s, finding, confirm=True, reason="", actor=flows.Actor("ministry:test"), now=now)
        assert case is not None
        issue_rectification(s, case, actor=flows.Actor("ministry:test"), now=now, issued_on=None, working_days=5)
        case_id = case.id
    engine.dispose()

    r = runner.invoke(cli, ["cases", "escalate-overdue", "--now", "2026-09-24T12:00:00+08:00", "--db", url])
    assert r.exit_code == 0 and "0 case(s) moved" in r.output
    r = runner.invoke(cli, ["cases", "escalate-overdue", "--now", "2026-09-25T09:00:00+08:00", "--db", url])
    assert f"case {case_id}: notice_issued -> escalated_public" in r.output
    r = runner.invoke(cli, ["cases", "escalate-overdue", "--now", "2026-09-25T09:00:00+08:00", "--db", url])
    assert "0 case(s) moved" in r.output
    assert runner.invoke(cli, ["cases", "escalate-overdue", "--now", "soon", "--db", url]).exit_code == 2

    out = tmp_path / "notice.pdf"
    r = runner.invoke(
        cli,
        [
            "notices",
            "render",
            str(case_id),
            "--kind",
            "rectification",
            "--format",
            "pdf",
            "--out",
            str(out),
            "--db",
            url,
        ],
    )
    assert r.exit_code == 0, r.output
    assert out.read_bytes().startswith(b"%PDF")
    html = tmp_path / "notice.html"
    r = runner.invoke(cli, ["notices", "render", "1", "--format", "html", "--out", str(html), "--db", url])
    assert r.exit_code == 0 and "com.cli.app" in html.read_text(encoding="utf-8")
    r = runner.invoke(cli, ["notices", "render", "99", "--format", "xlsx", "--out", str(out), "--db", url])
    assert r.exit_code == 2


def test_cli_bad_database_urls_exit_2_without_traceback() -> None:
    cli = _app()
    for url in ("nonsense", "foo://x", "postgresql+psycopg://nobody@127.0.0.1:1/x"):
        r = runner.invoke(cli, ["db", "upgrade", "--db", url])
        assert r.exit_code == 2, (url, r.output)
        assert "Traceback" not in r.output and "error:" in r.output
