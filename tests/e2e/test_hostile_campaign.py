"""A hostile batch through ``apprights campaign run`` (subprocess, process backend): bombs, garbage, an app too
big for the memory cap, an app too slow for the time limit, special files — every app gets its line, the
campaign finishes, the summary counts them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.batch.apps import HUGE_DEX_MB, NEWS_APK, make_app, make_big_trace, make_stored_apk, memory_cap_mb
from tests.e2e.hostile import lying_zip_bomb, random_bytes, zip_bomb


@pytest.mark.slow
def test_hostile_campaign(tmp_path: Path) -> None:
    d = tmp_path / "in"
    d.mkdir()
    good = make_app(d / "good.apk", "com.t.good")
    bomb = zip_bomb(d, ".apk")
    liar = lying_zip_bomb(d, ".apk")
    garbage = random_bytes(d, ".apk")
    huge = make_stored_apk(d / "huge.apk", "com.t.huge", HUGE_DEX_MB)  # needs more than the cap allows
    os.mkfifo(d / "fifo.apk")
    os.symlink(d / "loop-b.apk", d / "loop-a.apk")
    os.symlink(d / "loop-a.apk", d / "loop-b.apk")
    jobs = [
        {"apk": str(p)}
        for p in (good, bomb, liar, garbage, huge, d / "fifo.apk", d / "loop-a.apk", d / "missing.apk")
    ]
    lst = d / "jobs.jsonl"
    lst.write_text("\n".join(json.dumps(j) for j in jobs) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    started = time.perf_counter()
    r = subprocess.run(
        [sys.executable, "-m", "apprights.cli.main", "campaign", "run", str(lst), "--out", str(out),
         "--workers", "2", "--timeout", "60", "--memory-mb", str(memory_cap_mb())],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert time.perf_counter() - started < 90
    assert r.returncode == 0, r.stderr[-2000:]
    assert "Traceback" not in r.stderr and f"[{len(jobs)}/{len(jobs)}]" in r.stderr
    lines = [json.loads(x) for x in (out / "reports.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(jobs)
    by = {Path(x["job"]["apk"]).name: x for x in lines}

    def err(x: dict) -> str:  # type: ignore[type-arg]
        return " ".join(e["message"] for e in x["errors"])

    assert by["good.apk"]["app"]["package"] == "com.t.good"
    assert "zip bomb" in err(by[bomb.name]) or "too large" in err(by[bomb.name])
    assert by[liar.name]["errors"] and by[garbage.name]["errors"]
    assert "memory limit exceeded" in err(by["huge.apk"])
    assert "regular file" in err(by["fifo.apk"])
    assert "symbolic links" in err(by["loop-a.apk"]) and by["missing.apk"]["errors"]
    summary = json.loads(r.stdout)
    assert summary["total"] == summary["scanned"] == len(jobs) and summary["failed"] == len(jobs) - 1


@pytest.mark.slow
def test_time_limit_through_the_cli(tmp_path: Path) -> None:
    slow_trace = make_big_trace(tmp_path / "long.jsonl")  # seconds of real work
    good = make_app(tmp_path / "good.apk", "com.t.good")
    lst = tmp_path / "jobs.jsonl"
    jobs = [{"apk": str(NEWS_APK), "traces": [str(slow_trace)]}, {"apk": str(good)}]
    lst.write_text("\n".join(json.dumps(j) for j in jobs) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    r = subprocess.run(
        [sys.executable, "-m", "apprights.cli.main", "campaign", "run", str(lst), "--out", str(out),
         "--workers", "2", "--timeout", "0.5"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-2000:]
    lines = {
        Path(x["job"]["apk"]).name: x
        for x in map(json.loads, (out / "reports.jsonl").read_text().splitlines())
    }
    assert "time limit exceeded (0.5 s)" in lines["news-5.2.0.apk"]["errors"][0]["message"]
    assert lines["good.apk"]["app"]["package"] == "com.t.good"
    assert json.loads(r.stdout)["failed"] == 1


def _marked_processes(mark: str) -> list[int]:
    """Processes whose environment carries ``mark`` (the campaign and every worker it started inherit it)."""
    out = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if mark.encode() in (proc / "environ").read_bytes():
                out.append(int(proc.name))
        except OSError:
            continue
    return out


@pytest.mark.slow
def test_interrupted_campaign_leaves_no_workers_and_resumes(tmp_path: Path) -> None:
    import signal
    import uuid

    trace = make_big_trace(tmp_path / "long.jsonl", 30_000)
    fast = [make_app(tmp_path / f"f{i}.apk", f"com.t.f{i}") for i in range(2)]
    slow = []
    for i in range(2):
        (tmp_path / f"s{i}.apk").write_bytes(NEWS_APK.read_bytes())
        slow.append({"apk": str(tmp_path / f"s{i}.apk"), "traces": [str(trace)]})
    jobs = slow + [{"apk": str(p)} for p in fast]
    lst = tmp_path / "jobs.jsonl"
    lst.write_text("\n".join(json.dumps(j) for j in jobs) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    mark = f"APPRIGHTS_TEST_MARK={uuid.uuid4().hex}"
    env = {**os.environ, mark.split("=")[0]: mark.split("=")[1]}
    cmd = [sys.executable, "-m", "apprights.cli.main", "campaign", "run", str(lst), "--out", str(out)]
    proc = subprocess.Popen(
        [*cmd, "--workers", "1", "--timeout", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        reports = out / "reports.jsonl"
        while time.monotonic() < deadline and not (reports.exists() and reports.read_text(encoding="utf-8")):
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        _stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0 and "Traceback" not in stderr, stderr[-2000:]
    for _ in range(50):  # workers are gone within a few seconds
        if not _marked_processes(mark):
            break
        time.sleep(0.1)
    assert _marked_processes(mark) == []
    done = len((out / "reports.jsonl").read_text(encoding="utf-8").splitlines())
    assert 1 <= done < len(jobs)
    r = subprocess.run([*cmd, "--resume", "--workers", "2"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    summary = json.loads(r.stdout)
    assert summary["skipped_already_done"] == done and summary["scanned"] == len(jobs) - done
    lines = (out / "reports.jsonl").read_text(encoding="utf-8").splitlines()
    assert sorted(Path(json.loads(x)["job"]["apk"]).name for x in lines) == [
        "f0.apk",
        "f1.apk",
        "s0.apk",
        "s1.apk",
    ]
