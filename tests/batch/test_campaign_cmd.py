"""`apprights campaign run` as a user runs it (subprocess): job lists, progress, resume, errors, Ray missing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from apprights.batch.backends import ray_available
from apprights.cli import campaign_cmd
from tests.batch.apps import DEMO, NEWS_APK, REPO, make_app


def campaign(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "apprights.cli.main", "campaign", "run", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def reports(out: Path) -> dict[str, dict[str, Any]]:
    lines = (out / "reports.jsonl").read_text(encoding="utf-8").splitlines()
    return {Path(r["job"]["apk"]).name: r for r in map(json.loads, lines)}


def test_job_list_with_evidence_per_job(tmp_path: Path) -> None:
    work = tmp_path / "campaign"
    (work / "apks").mkdir(parents=True)
    (work / "evidence").mkdir()
    shutil.copy(NEWS_APK, work / "apks" / "news.apk")
    for name in ("policy.html", "trace-first-launch.jsonl"):
        shutil.copy(DEMO / name, work / "evidence" / name)
    shutil.copy(REPO / "samples" / "listing-news.json", work / "evidence" / "listing.json")
    make_app(work / "apks" / "plain.apk", "com.t.plain")
    (work / "apks" / "bad.apk").write_bytes(b"\x00" * 100)
    jobs = [
        {
            "apk": "apks/news.apk",
            "policy": "evidence/policy.html",
            "traces": ["evidence/trace-first-launch.jsonl"],
            "listings": ["evidence/listing.json"],
            "category": "新闻资讯类",
        },
        {"apk": "apks/bad.apk"},
        {"apk": "apks/plain.apk"},
    ]
    (work / "jobs.jsonl").write_text("\n".join(json.dumps(j) for j in jobs) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    # run from another directory: the paths are relative to the list, not to the working directory
    r = campaign(str(work / "jobs.jsonl"), "--out", str(out), "--workers", "2", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "[3/3]" in r.stderr and "Traceback" not in r.stderr
    summary = json.loads(r.stdout)
    assert summary == json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["total"] == summary["scanned"] == 3 and summary["failed"] == 1
    reps = reports(out)
    news = reps["news.apk"]
    assert {i["kind"] for i in news["inputs"]} == {"apk", "policy", "trace", "listing"}
    assert news["app"]["category"] == "新闻资讯类" and not news["errors"]
    types = {f["problem_type"] for f in news["findings"]}
    assert 9 in types or 10 in types  # listing rules ran
    assert any(f["rule"].split(".")[1].startswith("rt_") or "consent" in f["rule"] for f in news["findings"])
    assert "bad.apk" in reps["bad.apk"]["errors"][0]["message"] and reps["bad.apk"]["findings"] == []
    assert reps["plain.apk"]["app"]["package"] == "com.t.plain"

    # --resume: nothing left to do, the file keeps its three lines
    again = campaign(
        str(work / "jobs.jsonl"), "--out", str(out), "--resume", "--backend", "local", cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr
    s2 = json.loads(again.stdout)
    assert s2["skipped_already_done"] == 3 and s2["scanned"] == 0 and s2["failed"] == 1
    assert len((out / "reports.jsonl").read_text(encoding="utf-8").splitlines()) == 3


def test_directory_with_a_bad_apk_first(tmp_path: Path) -> None:
    src = tmp_path / "apks"
    src.mkdir()
    (src / "0-bad.apk").write_bytes(b"PK\x03\x04garbage")
    for name in ("a", "b"):
        make_app(src / f"{name}.apk", f"com.t.{name}")
    out = tmp_path / "out"
    r = campaign(str(src), "--out", str(out), "--backend", "local", "--timeout", "60")
    assert r.returncode == 0, r.stderr
    reps = reports(out)
    assert reps["0-bad.apk"]["errors"] and reps["a.apk"]["app"]["package"] == "com.t.a"
    assert reps["b.apk"]["app"]["package"] == "com.t.b"
    assert "[3/3]" in r.stderr


def test_ray_backend_without_ray_exits_2_with_one_line(tmp_path: Path) -> None:
    if ray_available():
        pytest.skip("ray is installed here")
    out = tmp_path / "out"
    out.mkdir()
    (out / "reports.jsonl").write_text('{"keep": 1}\n', encoding="utf-8")
    r = campaign(str(NEWS_APK), "--out", str(out), "--backend", "ray")
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Ray is not installed" in lines[0] and "Traceback" not in r.stderr
    assert (out / "reports.jsonl").read_text(encoding="utf-8") == '{"keep": 1}\n'  # nothing was touched


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--backend", "spark"], "expected local, process or ray"),
        (["--workers", "0"], "--workers"),
        (["--timeout", "-1"], "--timeout"),
        (["--memory-mb", "-5"], "--memory-mb"),
        (["--exodus", "/nonexistent/exodus.json"], "/nonexistent/exodus.json"),
    ],
)
def test_bad_options_exit_2(tmp_path: Path, args: list[str], needle: str) -> None:
    r = CliRunner().invoke(campaign_cmd.app, [str(NEWS_APK), "--out", str(tmp_path / "out"), *args])
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and lines[0].startswith("apprights: error: ")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", ["missing", "empty-dir", "bad-list", "out-is-file"])
def test_bad_sources_exit_2(tmp_path: Path, kind: str) -> None:
    out = tmp_path / "out"
    if kind == "missing":
        src = tmp_path / "nope"
    elif kind == "empty-dir":
        src = tmp_path / "empty"
        src.mkdir()
    elif kind == "bad-list":
        src = tmp_path / "jobs.jsonl"
        src.write_text('{"apk": 1}\n', encoding="utf-8")
    else:
        src = NEWS_APK
        out.write_text("x", encoding="utf-8")
    r = CliRunner().invoke(campaign_cmd.app, [str(src), "--out", str(out)])
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and str(out if kind == "out-is-file" else src) in lines[0]


def test_local_backend_in_process(tmp_path: Path) -> None:
    make_app(tmp_path / "apks" / "a.apk", "com.t.a")
    r = CliRunner().invoke(
        campaign_cmd.app, [str(tmp_path / "apks"), "--out", str(tmp_path / "out"), "--backend", "local"]
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["scanned"] == 1 and "[1/1]" in r.stderr


def test_bad_exodus_file_is_one_line_before_any_work(tmp_path: Path) -> None:
    exodus = tmp_path / "exodus.json"
    exodus.write_text("[" * 100_000, encoding="ascii")
    r = CliRunner().invoke(
        campaign_cmd.app, [str(NEWS_APK), "--out", str(tmp_path / "out"), "--exodus", str(exodus)]
    )
    assert r.exit_code == 2, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and str(exodus) in lines[0] and not (tmp_path / "out").exists()
