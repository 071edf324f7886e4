"""``apprights calendar due`` through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from apprights.cli.calendar_cmd import app

runner = CliRunner()


def test_due_prints_iso_deadline() -> None:
    r = runner.invoke(app, ["due", "2026-09-30"])
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == "2026-10-13"


def test_due_working_days_option() -> None:
    r = runner.invoke(app, ["due", "2026-09-18", "--working-days", "1"])
    assert r.exit_code == 0
    assert r.stdout.strip() == "2026-09-20"  # Sunday make-up working day


def test_due_uncovered_year_exits_2_with_one_line() -> None:
    r = runner.invoke(app, ["due", "2026-12-31"])
    assert r.exit_code == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "2027" in lines[0]
    assert "Traceback" not in r.stderr


def test_due_with_schedule_file(tmp_path: Path) -> None:
    p = tmp_path / "2027.json"
    p.write_text(
        json.dumps({"year": 2027, "holidays": ["2027-01-01"], "workdays": [], "source": "test"}),
        encoding="utf-8",
    )
    r = runner.invoke(app, ["due", "2026-12-31", "--schedule", str(p)])
    assert r.exit_code == 0, r.stderr
    assert r.stdout.strip() == "2027-01-08"


def test_due_malformed_date_exits_2() -> None:
    for bad in ("2026-02-30", "yesterday", ""):
        r = runner.invoke(app, ["due", bad])
        assert r.exit_code == 2, bad
        assert "YYYY-MM-DD" in r.stderr and "Traceback" not in r.stderr


def test_due_bad_schedule_file_exits_2(tmp_path: Path) -> None:
    p = tmp_path / "bad.json"
    p.write_text("{", encoding="utf-8")
    r = runner.invoke(app, ["due", "2026-12-31", "--schedule", str(p)])
    assert r.exit_code == 2
    assert str(p) in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_due_bad_working_days_exits_2() -> None:
    r = runner.invoke(app, ["due", "2026-09-30", "--working-days", "0"])
    assert r.exit_code == 2
