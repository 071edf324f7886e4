"""Background ingestion: a large batch (or ``Prefer: respond-async``) is kept, answered 202 with a job, and
ingested in a worker process; ``GET /api/v1/jobs/{id}`` reports it. SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
import time
from typing import Any

from apprights.service.jobs.runner import IngestJob, run_ingest_job
from apprights.service.jobs.schemas import JobOut
from apprights.service.jobs.views import job_out
from apprights.service.scans.factory import make_report
from tests.service.conftest import World

ASYNC = {"Prefer": "respond-async", "Content-Type": "application/x-ndjson"}


def batch(n: int, prefix: str = "com.bulk.app") -> bytes:
    return "\n".join(json.dumps(make_report(f"{prefix}{i}", n_findings=2, seed=i)) for i in range(n)).encode()


def wait_done(w: World, role: str, job_id: int, timeout_s: float = 120.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        job: dict[str, Any] = w.ok(role, "GET", f"/api/v1/jobs/{job_id}")
        if job["status"] == "done":
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.1)


def test_respond_async_gives_a_job_that_ingests_the_batch(world: World) -> None:
    w = world
    r = w.call("agency", "POST", "/api/v1/scans", content=batch(5), headers=ASYNC)
    assert r.status_code == 202, r.text
    job = r.json()
    JobOut.model_validate(job)
    assert job["status"] in ("queued", "running") and job["outcome"] == "received"
    assert r.headers["Location"] == f"/api/v1/jobs/{job['id']}"
    assert r.headers["X-Apprights-Submission"] == str(job["submission_id"])
    done = wait_done(w, "agency", job["id"])
    assert done["outcome"] == "accepted" and done["items_received"] == 5 and done["items_accepted"] == 5
    runs = w.ok("ministry", "GET", "/api/v1/scans")["items"]
    assert sorted(done["scan_run_ids"]) == sorted(r["id"] for r in runs) and len(runs) == 5
    assert done["received_at"].endswith("Z") or done["received_at"].endswith("+00:00")
    # the submitter and the ministry may look; nobody else learns that the job exists
    assert w.call("ministry", "GET", f"/api/v1/jobs/{job['id']}").status_code == 200
    assert w.call("enterprise", "GET", f"/api/v1/jobs/{job['id']}").status_code == 404
    assert w.call("", "GET", f"/api/v1/jobs/{job['id']}").status_code == 401
    # the same batch again: every report a duplicate
    again = w.call("agency", "POST", "/api/v1/scans", content=batch(5), headers=ASYNC).json()
    assert wait_done(w, "agency", again["id"])["outcome"] == "duplicate"


def test_a_batch_over_the_synchronous_limit_goes_to_the_background(world: World) -> None:
    w = world
    app = w.client.app
    app.state.settings = dataclasses.replace(app.state.settings, sync_ingest_max_bytes=1000)
    small = json.dumps(make_report("com.example.shop", n_findings=1)).encode()
    assert len(small) < 4000
    body = batch(3)
    assert len(body) > 1000
    r = w.call(
        "agency", "POST", "/api/v1/scans", content=body, headers={"Content-Type": "application/x-ndjson"}
    )
    assert r.status_code == 202, r.text
    assert wait_done(w, "agency", r.json()["id"])["items_accepted"] == 3
    # the existing contract holds for small reports: answered synchronously with the ingest result
    app.state.settings = dataclasses.replace(app.state.settings, sync_ingest_max_bytes=1_000_000)
    out = w.ok("agency", "POST", "/api/v1/scans", content=small)
    assert out["stored"] == 1 and out["outcome"] == "accepted"


def test_a_bad_batch_job_ends_rejected_with_the_errors(world: World) -> None:
    w = world
    r = w.call("agency", "POST", "/api/v1/scans", content=b"{not json\n[1,2]", headers=ASYNC)
    assert r.status_code == 202
    done = wait_done(w, "agency", r.json()["id"])
    assert done["outcome"] == "rejected" and done["errors"] and done["scan_run_ids"] == []
    # the bytes are kept for the ministry, as for every submission
    raw = w.call("ministry", "GET", f"/api/v1/submissions/{done['submission_id']}/raw")
    assert raw.status_code == 200 and raw.content == b"{not json\n[1,2]"


def test_an_enterprise_job_only_ingests_its_own_apps(world: World) -> None:
    w = world
    own = json.dumps(make_report("com.example.shop", n_findings=1))
    other = json.dumps(make_report("com.other.app", n_findings=1))
    r = w.call("enterprise", "POST", "/api/v1/scans", content=f"{own}\n{other}".encode(), headers=ASYNC)
    done = wait_done(w, "enterprise", r.json()["id"])
    assert done["outcome"] == "partial" and done["items_accepted"] == 1
    assert "not one of your apps" in done["errors"][0]["message"]


def test_a_job_left_unfinished_by_a_restart_is_marked_interrupted(world: World) -> None:
    from apprights.service.db import session_scope
    from apprights.service.submissions import service as submissions

    w = world
    app = w.client.app
    with session_scope(app.state.sessionmaker) as s:
        sub = submissions.receive(
            s, w.settings.data_dir, kind="scan_report", content=b"{}", now=w.clock(), channel="job"
        )
        sub_id = sub.id
    assert app.state.jobs.interrupted() == 1
    job = w.ok("ministry", "GET", f"/api/v1/jobs/{sub_id}")
    assert job["status"] == "done" and job["outcome"] == "rejected"
    assert "restart" in job["errors"][0]["message"]


def test_the_worker_function_ingests_once(world: World) -> None:
    """``run_ingest_job`` (what the worker process runs), called in this process: it ingests the kept batch
    and records the outcome; run again, it finds the job done and does nothing."""
    from apprights.service.db import session_scope
    from apprights.service.submissions import service as submissions
    from apprights.service.submissions.models import Submission

    w = world
    app = w.client.app
    with session_scope(app.state.sessionmaker) as s:
        sub_id = submissions.receive(
            s, w.settings.data_dir, kind="scan_report", content=batch(2), now=w.clock(), channel="job"
        ).id
    job = IngestJob(
        submission_id=sub_id,
        db_url=w.settings.resolved_db_url(),
        data_dir=str(w.settings.data_dir),
        now=w.clock(),
    )
    assert run_ingest_job(job) == {"received": 2, "stored": 2}
    assert run_ingest_job(job) == {"received": 0, "stored": 0}
    with session_scope(app.state.sessionmaker) as s:
        row = s.get(Submission, sub_id)
        assert row is not None
        out = job_out(s, row, app.state.jobs)
    assert out.status == "done" and out.outcome == "accepted" and len(out.scan_run_ids) == 2
