"""Background ingestion: a large batch (or ``Prefer: respond-async``) is kept, answered 202 with a job, and
ingested in a worker process; ``GET /api/v1/jobs/{id}`` reports it from the ``jobs`` table. Workers in separate
processes claim jobs atomically, heartbeat, and take over a dead worker's job. SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import update

from apprights.service.db import session_scope
from apprights.service.jobs import runner as jobs
from apprights.service.jobs.models import Job
from apprights.service.jobs.runner import JobConfig
from apprights.service.jobs.schemas import JobOut
from apprights.service.jobs.views import job_out
from apprights.service.scans.factory import make_report
from apprights.service.submissions import service as submissions
from apprights.service.submissions.models import Submission
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


def _cfg(w: World, **kw: Any) -> JobConfig:
    return JobConfig(db_url=w.settings.resolved_db_url(), data_dir=str(w.settings.data_dir), nice=0, **kw)


def _queue(w: World, n_jobs: int, reports_each: int = 1, prefix: str = "com.q") -> list[int]:
    """Keep ``n_jobs`` batches and queue their jobs, as ``POST /scans`` does."""
    app = w.client.app
    ids = []
    with session_scope(app.state.sessionmaker) as s:
        for j in range(n_jobs):
            sub = submissions.receive(
                s,
                w.settings.data_dir,
                kind="scan_report",
                content=batch(reports_each, prefix=f"{prefix}{j}x"),
                now=w.clock(),
                channel="job",
            )
            jobs.enqueue(s, sub, now=w.clock())
            ids.append(sub.id)
    return ids


def _job(w: World, job_id: int) -> Job:
    with session_scope(w.client.app.state.sessionmaker) as s:
        job = s.get(Job, job_id)
        assert job is not None
        s.expunge(job)
        return job


def _claim_and_hang(cfg: JobConfig, claimed: Any) -> None:
    """In a child process: claim the oldest job like a worker, say so, then hang (until killed)."""
    from apprights.service import models  # noqa: F401
    from apprights.service.db import make_engine, make_sessionmaker

    engine = make_engine(cfg.db_url)
    with make_sessionmaker(engine)() as s:
        claimed.put(jobs.claim(s, jobs.worker_id()))
    time.sleep(600)


def _spawn_hanging_claimer(cfg: JobConfig) -> tuple[Any, int]:
    ctx = multiprocessing.get_context("spawn")
    q = ctx.Queue()
    proc = ctx.Process(target=_claim_and_hang, args=(cfg, q), daemon=True)
    proc.start()
    job_id = q.get(timeout=120)
    assert isinstance(job_id, int)
    return proc, job_id


def test_two_worker_processes_never_run_the_same_job(world: World) -> None:
    w = world
    ids = _queue(w, 12, reports_each=20)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=ctx) as pool:
        futs = [pool.submit(jobs.worker_main, _cfg(w), None, None, True) for _ in range(2)]
        ran = [f.result(timeout=300) for f in futs]
    assert not set(ran[0]) & set(ran[1]), ran  # no job ran in both processes
    assert sorted(ran[0] + ran[1]) == ids
    for job_id in ids:
        job = _job(w, job_id)
        assert (job.status, job.outcome, job.attempts, job.items_accepted) == ("done", "accepted", 1, 20)
    runs = w.ok("ministry", "GET", "/api/v1/scans?limit=1")["total"]
    assert runs == 12 * 20


def test_a_killed_workers_job_is_taken_over_by_another(world: World) -> None:
    w = world
    [job_id] = _queue(w, 1, reports_each=3)
    proc, claimed = _spawn_hanging_claimer(_cfg(w))
    assert claimed == job_id
    # status is read from the database: this process sees the other process's job running
    assert w.ok("ministry", "GET", f"/api/v1/jobs/{job_id}")["status"] == "running"
    proc.kill()
    proc.join(10)
    # a fresh worker does not touch it while the heartbeat is recent …
    assert jobs.worker_main(_cfg(w, stale_after_s=60), None, None, once=True) == []
    time.sleep(1.2)
    # … and queues it again once the heartbeat is stale, then runs it
    assert jobs.worker_main(_cfg(w, stale_after_s=1), None, None, once=True) == [job_id]
    done = w.ok("ministry", "GET", f"/api/v1/jobs/{job_id}")
    assert (done["status"], done["outcome"], done["items_accepted"], done["attempts"]) == (
        "done",
        "accepted",
        3,
        2,
    )
    assert len(done["scan_run_ids"]) == 3


def test_a_job_whose_workers_keep_dying_is_rejected_with_the_reason(world: World) -> None:
    w = world
    [job_id] = _queue(w, 1)
    with session_scope(w.client.app.state.sessionmaker) as s:
        for _ in range(2):  # two workers claim it and die (no heartbeat)
            assert jobs.claim(s, jobs.worker_id()) == job_id
            s.execute(
                update(Job).where(Job.submission_id == job_id).values(heartbeat_at=datetime(2000, 1, 1))
            )
            s.commit()
            assert jobs.requeue_stale(s, stale_after_s=1, max_attempts=2) == 1
    job = w.ok("ministry", "GET", f"/api/v1/jobs/{job_id}")
    assert (job["status"], job["outcome"], job["attempts"]) == ("done", "rejected", 2)
    assert "gave up" in job["errors"][0]["message"]
    sub = w.ok("ministry", "GET", f"/api/v1/submissions/{job_id}")
    assert sub["outcome"] == "rejected"
    assert w.ok("ministry", "GET", "/api/v1/scans?limit=1")["total"] == 0


def test_a_worker_that_lost_its_job_rolls_its_ingest_back(world: World) -> None:
    w = world
    [job_id] = _queue(w, 1, reports_each=2)
    factory = w.client.app.state.sessionmaker
    slow, fast = jobs.worker_id(), jobs.worker_id()
    with factory() as s:
        assert jobs.claim(s, slow) == job_id
        s.execute(update(Job).where(Job.submission_id == job_id).values(heartbeat_at=datetime(2000, 1, 1)))
        s.commit()
        assert jobs.requeue_stale(s, stale_after_s=1, max_attempts=3) == 1
        assert jobs.claim(s, fast) == job_id
    # the first worker wakes up and finishes: it no longer owns the job, so nothing it did is kept
    assert jobs.run_claimed(factory, _cfg(w), job_id, slow) == {"received": 0, "stored": 0}
    assert _job(w, job_id).status == "running"
    assert w.ok("ministry", "GET", "/api/v1/scans?limit=1")["total"] == 0
    assert jobs.run_claimed(factory, _cfg(w), job_id, fast) == {"received": 2, "stored": 2}
    job = _job(w, job_id)
    assert (job.status, job.outcome, job.owner) == ("done", "accepted", fast)


def test_a_job_run_twice_is_idempotent(world: World) -> None:
    """Run again after it is done (e.g. queued again by hand), the job stores nothing twice."""
    w = world
    [job_id] = _queue(w, 1, reports_each=2)
    assert jobs.worker_main(_cfg(w), None, None, once=True) == [job_id]
    with session_scope(w.client.app.state.sessionmaker) as s:
        s.execute(update(Job).where(Job.submission_id == job_id).values(status="queued"))
    assert jobs.worker_main(_cfg(w), None, None, once=True) == [job_id]
    job = _job(w, job_id)
    assert (job.status, job.outcome, job.items_accepted) == ("done", "duplicate", 0)
    with session_scope(w.client.app.state.sessionmaker) as s:
        sub = s.get(Submission, job_id)
        assert sub is not None
        out = job_out(job, sub)
    assert (out.id, out.status, out.attempts, len(out.scan_run_ids)) == (job_id, "done", 2, 2)
    assert w.ok("ministry", "GET", "/api/v1/scans?limit=1")["total"] == 2


def test_migration_marks_unfinished_legacy_jobs(tmp_path: Path) -> None:
    """Job submissions an earlier version left ``received`` (it had no jobs table) end rejected at upgrade."""
    from sqlalchemy import text

    from apprights.service.db import make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'legacy.sqlite3'}"
    upgrade(url, "0006")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO submissions (kind, channel, sha256, size, filename, content_type, actor, received_at,"
                " outcome, items_received, items_accepted, errors) VALUES ('scan_report', :ch, '', 1, '', '', '',"
                " '2026-09-18 02:00:00', 'received', 0, 0, '[]')"
            ),
            [{"ch": "job"}, {"ch": "api"}],
        )
    upgrade(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT channel, outcome, errors FROM submissions ORDER BY id")).all()
    engine.dispose()
    assert rows[0][:2] == ("job", "rejected") and "submit the batch again" in rows[0][2]
    assert rows[1][:2] == ("api", "received")
