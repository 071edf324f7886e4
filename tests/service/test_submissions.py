"""Every intake keeps the raw bytes by sha256 before parsing, with a row saying who sent what and what came of it."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from apprights.service.files import blob_path
from apprights.service.scans.factory import make_report
from tests.service.conftest import World


def _blobs(data_dir: Path) -> list[Path]:
    return [p for p in (data_dir / "files").rglob("*") if p.is_file() and not p.name.startswith(".")]


def test_malformed_report_is_rejected_and_kept_for_the_ministry(world: World) -> None:
    w = world
    bad = b'{"format": "apprights-report/1", "app": {"package": "../../etc"}, "findings": []}'
    r = w.call("agency", "POST", "/api/v1/scans", content=bad)
    assert r.status_code == 422 and "package" in r.text
    sub_id = int(r.headers["X-Apprights-Submission"])
    # the ministry finds it among the rejected submissions and downloads the exact bytes
    rejected = w.ok("ministry", "GET", "/api/v1/submissions?outcome=rejected")["items"]
    assert [s["id"] for s in rejected] == [sub_id]
    sub = rejected[0]
    assert sub["kind"] == "scan_report" and sub["actor"] == "agency:agency"
    assert sub["sha256"] == hashlib.sha256(bad).hexdigest() and sub["size"] == len(bad)
    assert "package" in sub["errors"][0]["message"]
    raw = w.call("ministry", "GET", f"/api/v1/submissions/{sub_id}/raw")
    assert raw.status_code == 200 and raw.content == bad
    # the submitter sees its own submission; others do not
    assert w.call("agency", "GET", f"/api/v1/submissions/{sub_id}/raw").content == bad
    assert w.call("enterprise", "GET", f"/api/v1/submissions/{sub_id}").status_code == 404
    assert w.ok("enterprise", "GET", "/api/v1/submissions")["total"] == 0
    # not even valid JSON: still kept
    r = w.call("agency", "POST", "/api/v1/scans", content=b"\xff\xfe garbage")
    assert r.status_code == 422
    sid = int(r.headers["X-Apprights-Submission"])
    assert w.call("ministry", "GET", f"/api/v1/submissions/{sid}/raw").content == b"\xff\xfe garbage"


def test_jsonl_batch_with_one_bad_line_keeps_the_whole_file(world: World) -> None:
    w = world
    lines = [
        json.dumps(make_report("com.example.shop", n_findings=2, seed=1)),
        "{not json",
        json.dumps(make_report("com.example.other", n_findings=1, seed=2)),
    ]
    batch = ("\n".join(lines) + "\n").encode()
    out = w.ok(
        "agency", "POST", "/api/v1/scans", content=batch, headers={"content-type": "application/x-ndjson"}
    )
    assert out["outcome"] == "partial" and out["stored"] == 2
    assert [(x["line"], x["outcome"]) for x in out["lines"]] == [
        (1, "accepted"),
        (2, "rejected"),
        (3, "accepted"),
    ]
    assert "not valid JSON" in out["lines"][1]["message"]
    sub = w.ok("ministry", "GET", f"/api/v1/submissions/{out['submission_id']}")
    assert (sub["outcome"], sub["items_received"], sub["items_accepted"]) == ("partial", 3, 2)
    assert w.call("ministry", "GET", f"/api/v1/submissions/{sub['id']}/raw").content == batch
    # each scan run points at its line: the exact report a finding came from
    run3 = out["lines"][2]["scan_run_id"]
    got = w.call("ministry", "GET", f"/api/v1/scans/{run3}/report")
    assert got.status_code == 200 and got.content == lines[2].encode()
    assert w.call("agency", "GET", f"/api/v1/scans/{run3}/report").content == lines[2].encode()
    # the enterprise may download the report of its own app, not another's
    run1 = out["lines"][0]["scan_run_id"]
    assert w.call("enterprise", "GET", f"/api/v1/scans/{run1}/report").content == lines[0].encode()
    assert w.call("enterprise", "GET", f"/api/v1/scans/{run3}/report").status_code == 404
    assert w.call("enterprise_other", "GET", f"/api/v1/scans/{run1}/report").status_code == 404
    assert w.call("province", "GET", f"/api/v1/scans/{run1}/report").status_code == 403


def test_the_same_bytes_twice_are_stored_once(world: World) -> None:
    w = world
    body = json.dumps(make_report("com.example.shop", n_findings=1)).encode()
    first = w.ok("agency", "POST", "/api/v1/scans", content=body)
    before = _blobs(w.settings.data_dir)
    second = w.ok("agency", "POST", "/api/v1/scans", content=body)
    assert (first["outcome"], second["outcome"]) == ("accepted", "duplicate")
    assert second["lines"][0]["scan_run_id"] == first["scan_run_ids"][0]
    after = _blobs(w.settings.data_dir)
    assert after == before and blob_path(w.settings.data_dir, hashlib.sha256(body).hexdigest()) in after
    subs = w.ok("ministry", "GET", f"/api/v1/submissions?sha256={hashlib.sha256(body).hexdigest()}")
    assert subs["total"] == 2  # who sent it when, twice; the bytes once


def test_scan_run_lists_its_submission(world: World) -> None:
    w = world
    body = json.dumps(make_report("com.example.shop", n_findings=1)).encode()
    out = w.ok("agency", "POST", "/api/v1/scans", content=body)
    runs = w.ok("ministry", "GET", "/api/v1/scans")["items"]
    assert runs[0]["submission_id"] == out["submission_id"] and runs[0]["submission_line"] == 0
    assert w.call("ministry", "GET", f"/api/v1/scans/{runs[0]['id']}/report").content == body
    assert w.call("ministry", "GET", "/api/v1/scans/999/report").status_code == 404


def test_oversized_report_is_recorded_without_its_bytes(world: World) -> None:
    w = world
    app = w.client.app
    app.state.settings = dataclasses.replace(app.state.settings, max_report_bytes=100)
    r = w.call("agency", "POST", "/api/v1/scans", content=b"x" * 500)
    assert r.status_code == 413
    sub = w.ok("ministry", "GET", f"/api/v1/submissions/{r.headers['X-Apprights-Submission']}")
    assert sub["outcome"] == "rejected" and sub["sha256"] == "" and "larger" in sub["errors"][0]["message"]
    assert w.call("ministry", "GET", f"/api/v1/submissions/{sub['id']}/raw").status_code == 410


def test_cli_ingest_of_a_bad_file_exits_2_and_records_it(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import select

    from apprights.cli.service_cmds import ingest_cmd
    from apprights.service.db import make_engine, make_sessionmaker
    from apprights.service.scans.models import ScanRun
    from apprights.service.submissions.models import Submission

    data_dir = tmp_path / "data"
    monkeypatch.setenv("APPRIGHTS_DATA_DIR", str(data_dir))
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"format": "nope"}')
    cli = typer.Typer()
    cli.command("ingest")(ingest_cmd)
    cli.command("noop")(lambda: None)  # two commands: "ingest" stays a sub-command
    runner = CliRunner()
    r = runner.invoke(cli, ["ingest", str(bad), "--db", db_url])
    assert r.exit_code == 2, r.output
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps(make_report("com.example.cli", n_findings=1)) + "\n")
    assert runner.invoke(cli, ["ingest", str(good), "--db", db_url]).exit_code == 0
    engine = make_engine(db_url)
    try:
        with make_sessionmaker(engine)() as s:
            subs = s.scalars(select(Submission).order_by(Submission.id)).all()
            assert [(x.channel, x.outcome, x.filename) for x in subs] == [
                ("cli", "rejected", "bad.json"),
                ("cli", "accepted", "good.jsonl"),
            ]
            assert "format" in subs[0].errors
            assert blob_path(data_dir, subs[0].sha256).read_bytes() == b'{"format": "nope"}'
            run = s.scalars(select(ScanRun)).one()
            assert (run.submission_id, run.submission_line) == (subs[1].id, 0)  # one object: the file
    finally:
        engine.dispose()


def test_cli_ingest_listings_records_a_bad_file(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import select

    from apprights.service.db import make_engine, make_sessionmaker
    from apprights.service.submissions.models import Submission
    from tests.service.test_cli_listings import main_app

    data_dir = tmp_path / "data"
    monkeypatch.setenv("APPRIGHTS_DATA_DIR", str(data_dir))
    f = tmp_path / "l.json"
    f.write_bytes(b'{"format": "other/1"}')
    assert CliRunner().invoke(main_app, ["ingest-listings", str(f), "--db", db_url]).exit_code == 2
    engine = make_engine(db_url)
    try:
        with make_sessionmaker(engine)() as s:
            sub = s.scalars(select(Submission)).one()
    finally:
        engine.dispose()
    assert (sub.kind, sub.channel, sub.outcome, sub.filename) == ("listing", "cli", "rejected", "l.json")
    assert blob_path(data_dir, sub.sha256).read_bytes() == b'{"format": "other/1"}'
