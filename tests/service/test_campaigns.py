"""Campaigns (专项行动, ``apprights.service.campaigns``) on SQLite and PostgreSQL: the ministry creates them; an
agency's upload names one (``campaign_id``, optional: clients that send none still work, synchronously and as
a background job); the list counts each campaign's apps, findings and cases in the caller's scope; the CLI
ingest passes one too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from apprights.cli.service_cmds import db_app, ingest_cmd
from apprights.service.scans.factory import make_finding, make_report
from tests.service.conftest import World
from tests.service.test_jobs import ASYNC, batch, wait_done

PKG = "com.example.shop"


def _campaign(w: World, name: str, year: int = 2026) -> int:
    body = {"name": name, "year": year, "starts_on": f"{year}-03-01", "ends_on": f"{year}-12-31"}
    cid: int = w.ok("ministry", "POST", "/api/v1/campaigns", json=body)["id"]
    return cid


def _report(key: str, version: int = 1) -> bytes:
    found = [make_finding("t1.collect_before_consent", 1, ("app", PKG, "示例商城"), key=key)]
    return json.dumps(make_report(PKG, version_code=version, findings=found)).encode()


def test_create_and_validate(world: World) -> None:
    w = world
    cid = _campaign(w, "2026年APP侵害用户权益专项整治")
    again = w.call(
        "ministry",
        "POST",
        "/api/v1/campaigns",
        json={"name": "2026年APP侵害用户权益专项整治", "year": 2026, "starts_on": "2026-03-01"},
    )
    assert again.status_code == 409 and "exists" in again.json()["detail"]
    backwards = {"name": "x", "year": 2026, "starts_on": "2026-03-01", "ends_on": "2026-02-01"}
    assert w.call("ministry", "POST", "/api/v1/campaigns", json=backwards).status_code == 422
    body = {"name": "省里的", "year": 2026, "starts_on": "2026-03-01"}
    assert w.call("province", "POST", "/api/v1/campaigns", json=body).status_code == 403
    for role in ("ministry", "province", "agency"):
        assert [c["id"] for c in w.ok(role, "GET", "/api/v1/campaigns")] == [cid]
    for role in ("enterprise", "store"):
        assert w.call(role, "GET", "/api/v1/campaigns").status_code == 403


def test_uploads_belong_to_a_campaign_and_are_counted(world: World) -> None:
    w = world
    spring = _campaign(w, "春季专项")
    autumn = _campaign(w, "秋季专项")
    r = w.ok("agency", "POST", f"/api/v1/scans?campaign_id={spring}", content=_report("imei"))
    run_id = r["scan_run_ids"][0]
    sub = w.ok("agency", "GET", f"/api/v1/submissions/{r['submission_id']}")
    assert sub["outcome"] == "accepted"
    plain = w.ok("agency", "POST", "/api/v1/scans", content=_report("mac", 2))  # no campaign: still works
    runs = {x["id"]: x["campaign_id"] for x in w.ok("ministry", "GET", "/api/v1/scans")["items"]}
    assert runs == {run_id: spring, plain["scan_run_ids"][0]: None}

    bad = w.call("agency", "POST", "/api/v1/scans?campaign_id=999999", content=_report("serial", 3))
    assert bad.status_code == 422 and "unknown campaign" in bad.text
    kept = w.ok("agency", "GET", f"/api/v1/submissions/{bad.headers['X-Apprights-Submission']}")
    assert kept["outcome"] == "rejected"
    own = w.call("enterprise", "POST", f"/api/v1/scans?campaign_id={spring}", content=_report("x", 4))
    assert own.status_code == 422 and "in no campaign" in own.text

    fid = next(
        f["id"] for f in w.ok("ministry", "GET", "/api/v1/findings")["items"] if f["scan_run_id"] == run_id
    )
    w.ok("ministry", "POST", f"/api/v1/findings/{fid}/review", json={"decision": "confirm"})
    stats = {c["id"]: c for c in w.ok("ministry", "GET", "/api/v1/campaigns")}
    assert (stats[spring]["apps"], stats[spring]["findings"], stats[spring]["cases"]) == (1, 1, 1)
    assert (stats[autumn]["apps"], stats[autumn]["findings"], stats[autumn]["cases"]) == (0, 0, 0)
    # a province counts its region only (the app's enterprise is in Fujian, 35)
    assert {c["id"]: c["findings"] for c in w.ok("province", "GET", "/api/v1/campaigns")}[spring] == 1
    assert {c["id"]: c["findings"] for c in w.ok("province_other", "GET", "/api/v1/campaigns")}[spring] == 0


def test_background_batch_keeps_its_campaign(world: World) -> None:
    w = world
    cid = _campaign(w, "批量专项")
    r = w.call("agency", "POST", f"/api/v1/scans?campaign_id={cid}", content=batch(3), headers=ASYNC)
    assert r.status_code == 202, r.text
    done = wait_done(w, "agency", r.json()["id"])
    assert done["outcome"] == "accepted"
    runs = w.ok("ministry", "GET", "/api/v1/scans")["items"]
    assert len(runs) == 3 and {x["campaign_id"] for x in runs} == {cid}
    assert {c["id"]: c["apps"] for c in w.ok("ministry", "GET", "/api/v1/campaigns")}[cid] == 3


def test_cli_ingest_passes_the_campaign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPRIGHTS_DATA_DIR", str(tmp_path / "data"))
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    cli = typer.Typer()
    cli.add_typer(db_app, name="db")
    cli.command("ingest")(ingest_cmd)
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade", "--db", url]).exit_code == 0
    report = tmp_path / "r.json"
    report.write_bytes(_report("imei"))
    r = runner.invoke(cli, ["ingest", str(report), "--db", url, "--campaign", "7"])
    assert r.exit_code == 2 and "unknown campaign 7" in r.output
    from datetime import UTC, datetime

    from apprights.service.campaigns import service as campaigns
    from apprights.service.campaigns.schemas import CampaignIn
    from apprights.service.cases.flows import Actor
    from apprights.service.db import make_engine, make_sessionmaker, session_scope
    from apprights.service.scans.models import ScanRun

    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    with session_scope(factory) as s:
        c = campaigns.create(
            s,
            CampaignIn(name="CLI专项", year=2026, starts_on=datetime(2026, 3, 1).date()),
            actor=Actor("cli"),
            now=datetime(2026, 3, 1, tzinfo=UTC),
        )
        cid = c.id
    r = runner.invoke(cli, ["ingest", str(report), "--db", url, "--campaign", str(cid)])
    assert r.exit_code == 0, r.output
    with session_scope(factory) as s:
        assert [run.campaign_id for run in s.query(ScanRun).all()] == [cid]
    engine.dispose()


def test_the_ministry_corrects_a_campaign_and_each_change_is_audited(world: World) -> None:
    from apprights.service import audit

    w = world
    cid = _campaign(w, "2026年专项整治")
    other = _campaign(w, "2026年第二批")
    w.ok("agency", "POST", f"/api/v1/scans?campaign_id={cid}", content=_report("a"))
    fixed = {"name": "2026年APP专项整治", "year": 2026, "starts_on": "2026-03-01", "ends_on": "2026-11-30"}
    out = w.ok("ministry", "PUT", f"/api/v1/campaigns/{cid}", json=fixed)
    assert out["name"] == "2026年APP专项整治" and out["ends_on"] == "2026-11-30"
    (stats,) = [c for c in w.ok("ministry", "GET", "/api/v1/campaigns") if c["id"] == cid]
    assert stats["apps"] == 1 and stats["findings"] == 1  # its scans stay with it
    with w.client.app.state.sessionmaker() as s:
        (rec,) = [r for r in audit.trail(s, "campaign", cid) if r.action == "update"]
        assert rec.reason == "name: 2026年专项整治 → 2026年APP专项整治; ends_on: 2026-12-31 → 2026-11-30"
    # refused: a name another campaign has, dates out of order, another role, an unknown campaign
    clash = {**fixed, "name": "2026年第二批"}
    assert w.call("ministry", "PUT", f"/api/v1/campaigns/{cid}", json=clash).status_code == 409
    backwards = {**fixed, "ends_on": "2026-02-01"}
    assert w.call("ministry", "PUT", f"/api/v1/campaigns/{cid}", json=backwards).status_code == 422
    for role in ("province", "agency", "enterprise"):
        assert w.call(role, "PUT", f"/api/v1/campaigns/{cid}", json=fixed).status_code == 403
    assert w.call("ministry", "PUT", "/api/v1/campaigns/9999", json=fixed).status_code == 404
    unchanged = {c["id"]: c["name"] for c in w.ok("ministry", "GET", "/api/v1/campaigns")}
    assert unchanged == {cid: "2026年APP专项整治", other: "2026年第二批"}
    # the same values again: no change, no audit record
    w.ok("ministry", "PUT", f"/api/v1/campaigns/{cid}", json=fixed)
    with w.client.app.state.sessionmaker() as s:
        assert [r.action for r in audit.trail(s, "campaign", cid)] == ["create", "update"]
