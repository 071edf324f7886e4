"""The backends on real apps: same findings everywhere; time limit, memory cap and dead workers reported per app
while the rest of the batch goes on."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import pytest

from apprights.batch.backends import Limits, LocalBackend, ProcessBackend, RayBackend, ray_available
from apprights.batch.jobs import Job, discover_jobs
from apprights.errors import InputError
from tests.batch.apps import (
    HUGE_DEX_MB,
    NEWS_APK,
    crash_on_name,
    make_app,
    make_big_trace,
    make_stored_apk,
    memory_cap_mb,
    stuck_on_name,
)
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def apps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("apps")
    out = {name: make_app(d / f"{name}.apk", f"com.t.{name}") for name in ("one", "two", "three")}
    for name in ("crash", "stuck"):
        out[name] = make_app(d / f"{name}.apk", f"com.t.{name}")
    bad = d / "bad.apk"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    out["bad"] = bad
    return out


def by_apk(reports: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["job"]["apk"]: r for r in reports}


def error_of(rep: dict[str, Any]) -> str:
    return " ".join(e["message"] for e in rep["errors"])


def test_process_backend_finds_what_local_finds(apps: dict[str, Path]) -> None:
    jobs = discover_jobs(shared_path("apks"))
    jobs += [Job(apk=str(NEWS_APK)), *(Job(apk=str(apps[n])) for n in ("one", "two", "bad"))]
    local = by_apk(list(LocalBackend().run(jobs)))
    started = time.perf_counter()
    proc = by_apk(list(ProcessBackend(workers=2, limits=Limits(timeout_s=120)).run(jobs)))
    assert time.perf_counter() - started < 60
    assert set(local) == set(proc) == {j.apk for j in jobs}
    for apk, rep in local.items():
        assert sorted(f["fingerprint"] for f in rep["findings"]) == sorted(
            f["fingerprint"] for f in proc[apk]["findings"]
        ), apk
        assert [e["message"] for e in rep["errors"]] == [e["message"] for e in proc[apk]["errors"]], apk
        assert rep["app"]["package"] == proc[apk]["app"]["package"]
    assert sum(len(r["findings"]) for r in local.values()) > 20
    assert local[str(apps["bad"])]["app"]["package"] == "" and local[str(apps["bad"])]["errors"]


def test_per_apk_time_limit_fires_and_the_batch_goes_on(apps: dict[str, Path], tmp_path: Path) -> None:
    slow_trace = make_big_trace(tmp_path / "long.jsonl")  # seconds of real work
    slow = Job(apk=str(NEWS_APK), traces=[str(slow_trace)])
    jobs = [slow, Job(apk=str(apps["one"])), Job(apk=str(apps["two"]))]
    started = time.perf_counter()
    reports = list(ProcessBackend(workers=1, limits=Limits(timeout_s=0.5)).run(jobs))
    assert time.perf_counter() - started < 30
    assert len(reports) == 3
    timed_out = [r for r in reports if r["job"]["traces"]]
    assert len(timed_out) == 1 and "time limit exceeded" in error_of(timed_out[0])
    assert timed_out[0]["findings"] == [] and timed_out[0]["app"]["package"] == ""
    assert sorted(r["app"]["package"] for r in reports if not r["job"]["traces"]) == [
        "com.t.one",
        "com.t.two",
    ]


def test_local_backend_time_limit(tmp_path: Path) -> None:
    slow = Job(apk=str(NEWS_APK), traces=[str(make_big_trace(tmp_path / "long.jsonl"))])
    (rep,) = LocalBackend(limits=Limits(timeout_s=0.5)).run([slow])
    assert "time limit exceeded" in error_of(rep)


def test_worker_that_ignores_the_alarm_is_killed(apps: dict[str, Path]) -> None:
    jobs = [Job(apk=str(apps["stuck"])), Job(apk=str(apps["one"])), Job(apk=str(apps["two"]))]
    started = time.perf_counter()
    reports = by_apk(
        list(
            ProcessBackend(workers=1, limits=Limits(timeout_s=2.0, grace_s=1.0), job_fn=stuck_on_name).run(
                jobs
            )
        )
    )
    assert time.perf_counter() - started < 30
    assert "time limit exceeded" in error_of(reports[str(apps["stuck"])])
    assert "worker stopped" in error_of(reports[str(apps["stuck"])])
    assert reports[str(apps["one"])]["app"]["package"] == "com.t.one"
    assert reports[str(apps["two"])]["app"]["package"] == "com.t.two"


@pytest.mark.slow
def test_memory_cap_fires_and_is_reported(apps: dict[str, Path], tmp_path: Path) -> None:
    cap = memory_cap_mb()
    big = make_stored_apk(tmp_path / "huge.apk", "com.t.huge", HUGE_DEX_MB)  # reading its dex needs 300 MiB
    jobs = [Job(apk=str(big)), Job(apk=str(apps["one"]))]
    reports = by_apk(list(ProcessBackend(workers=1, limits=Limits(timeout_s=60, memory_mb=cap)).run(jobs)))
    assert "memory limit exceeded" in error_of(reports[str(big)])
    assert reports[str(apps["one"])]["app"]["package"] == "com.t.one"
    # without the cap the same APK scans
    (ok,) = ProcessBackend(workers=1, limits=Limits(timeout_s=60, memory_mb=0)).run([Job(apk=str(big))])
    assert ok["app"]["package"] == "com.t.huge"


def test_killed_worker_costs_only_its_app(apps: dict[str, Path]) -> None:
    names = ("one", "crash", "two", "three")
    jobs = [Job(apk=str(apps[n])) for n in names]
    reports = by_apk(
        list(ProcessBackend(workers=2, limits=Limits(timeout_s=60), job_fn=crash_on_name).run(jobs))
    )
    assert set(reports) == {j.apk for j in jobs}
    crashed = reports[str(apps["crash"])]
    assert "worker process died" in error_of(crashed) and "SIGKILL" in error_of(crashed)
    for n in ("one", "two", "three"):
        assert reports[str(apps[n])]["app"]["package"] == f"com.t.{n}", error_of(reports[str(apps[n])])


def test_no_jobs_no_workers() -> None:
    started = time.perf_counter()
    assert list(ProcessBackend(workers=2).run([])) == []
    assert time.perf_counter() - started < 1


def test_ray_backend_without_ray_is_an_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` fails as on a machine without it
    assert not ray_available()
    with pytest.raises(InputError, match=r"Ray is not installed \(pip install 'apprights\[ray\]'\)"):
        list(RayBackend().run([Job(apk=str(NEWS_APK))]))
