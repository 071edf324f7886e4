"""discover_jobs (directory, one APK, JSON-Lines job list, bad lists) and run_job (never raises)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from apprights.batch.jobs import Job, discover_jobs, job_key, run_job
from apprights.errors import InputError
from tests.batch.apps import DEMO, NEWS_APK, make_app


def test_directory_finds_every_apk_below_sorted(tmp_path: Path) -> None:
    make_app(tmp_path / "b.apk", "com.t.b")
    make_app(tmp_path / "sub" / "a.apk", "com.t.a")
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / "dir.apk").mkdir()  # a directory named like an APK is not a job
    jobs = discover_jobs(tmp_path)
    assert [Path(j.apk) for j in jobs] == sorted([tmp_path / "b.apk", tmp_path / "sub" / "a.apk"])


def test_one_apk_is_one_job() -> None:
    assert discover_jobs(NEWS_APK) == [Job(apk=str(NEWS_APK))]


def test_job_list_relative_paths_are_relative_to_the_list(tmp_path: Path) -> None:
    for name in ("news-5.2.0.apk", "policy.html", "trace-first-launch.jsonl"):
        shutil.copy(DEMO / name, tmp_path / name)
    lst = tmp_path / "jobs.jsonl"
    lst.write_text(
        "# a comment\n\n"
        + json.dumps(
            {
                "apk": "news-5.2.0.apk",
                "policy": "policy.html",
                "traces": ["trace-first-launch.jsonl"],
                "listings": ["/abs/listing.json"],
                "category": "新闻资讯类",
                "developer": 7,
            }
        )
        + "\n",
        encoding="utf-8",
    )
    (job,) = discover_jobs(lst)
    assert job.apk == str(tmp_path / "news-5.2.0.apk")
    assert job.policy == str(tmp_path / "policy.html")
    assert job.traces == [str(tmp_path / "trace-first-launch.jsonl")]
    assert job.listings == ["/abs/listing.json"]
    assert job.category == "新闻资讯类" and job.developer is None


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json\n", "line 1: invalid JSON"),
        ('{"policy": "p.html"}\n', "line 1: each job needs a string field 'apk'"),
        ("[1, 2]\n", "each job needs"),
        ('{"apk": "a.apk", "traces": "t.jsonl"}\n', "'traces' must be a list"),
        ('{"apk": "a.apk", "listings": [3]}\n', "paths must be strings"),
        ('{"apk": ""}\n', "empty path"),
        ('{"apk": "a\\u0000.apk"}\n', "NUL byte"),
        ('{"apk": "\\ud800.apk"}\n', "lone surrogate"),
        ("[" * 100_000 + "\n", "line 1"),
    ],
)
def test_bad_job_lists_are_input_errors(tmp_path: Path, content: str, needle: str) -> None:
    lst = tmp_path / "jobs.jsonl"
    lst.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        discover_jobs(lst)
    assert str(lst) in str(exc.value) and needle in str(exc.value)


def test_unreadable_job_lists(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        discover_jobs(tmp_path / "missing.jsonl")
    fifo = tmp_path / "jobs.fifo"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        discover_jobs(fifo)  # would block forever if opened
    bad = tmp_path / "latin1.jsonl"
    bad.write_bytes(b'{"apk": "\xe9.apk"}\n')
    with pytest.raises(InputError, match="not UTF-8"):
        discover_jobs(bad)


def test_job_key_normalises_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert Job(apk="./x/../a.apk").key == Job(apk=str(tmp_path / "a.apk")).key == job_key("a.apk")


def test_run_job_with_unusable_file_names() -> None:
    for name in ("a\x00b.apk", "\ud800.apk"):
        rep = run_job(Job(apk=name))
        assert rep["errors"] and "not a usable file name" in rep["errors"][0]["message"], rep["errors"]


def test_run_job_reports_bad_input_instead_of_raising(tmp_path: Path) -> None:
    bad = tmp_path / "bad.apk"
    bad.write_bytes(b"PK\x03\x04 not really")
    rep = run_job(Job(apk=str(bad)))
    assert rep["findings"] == [] and rep["app"]["package"] == ""
    assert str(bad) in rep["errors"][0]["message"]
    assert rep["job"]["apk"] == str(bad)


def test_run_job_with_all_demo_inputs() -> None:
    job = Job(
        apk=str(NEWS_APK),
        policy=str(DEMO / "policy.html"),
        traces=[str(DEMO / "trace-first-launch.jsonl")],
        category="新闻资讯类",
    )
    rep = run_job(job)
    assert rep["app"]["package"] == "com.example.news" and not rep["errors"]
    assert {i["kind"] for i in rep["inputs"]} == {"apk", "policy", "trace"}
    assert rep["job"] == job.to_dict()
    # runtime and policy rules only fire with those inputs: the trace yields findings of the runtime rules
    assert any(
        f["rule"].split(".")[1].startswith("rt_") or "before_consent" in f["rule"] for f in rep["findings"]
    )
