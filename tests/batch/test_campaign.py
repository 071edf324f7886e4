"""run_campaign: one line per app, summary counts, resume (also after a torn last line)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from apprights.batch.backends import LocalBackend
from apprights.batch.campaign import (
    REPORTS,
    SUMMARY,
    CampaignSummary,
    done_keys,
    drop_torn_tail,
    run_campaign,
)
from apprights.batch.jobs import Job, discover_jobs
from tests.batch.apps import NEWS_APK, make_app


@pytest.fixture(scope="module")
def appdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("appdir")
    for name in ("a", "b", "c"):
        make_app(d / f"{name}.apk", f"com.t.{name}")
    (d / "sub").mkdir()
    (d / "sub" / "news.apk").write_bytes(NEWS_APK.read_bytes())
    (d / "sub" / "broken.apk").write_bytes(b"PK\x05\x06" + bytes(18))
    return d


class Recorder:
    """A backend that runs the real jobs locally and remembers which it was given."""

    def __init__(self) -> None:
        self.given: list[str] = []

    def run(self, jobs: list[Job]) -> Any:
        self.given.extend(Path(j.apk).name for j in jobs)
        yield from LocalBackend().run(jobs)


def lines(out: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (out / REPORTS).read_text(encoding="utf-8").splitlines()]


def test_directory_campaign_summary_counts(appdir: Path, tmp_path: Path) -> None:
    jobs = discover_jobs(appdir)
    seen: list[tuple[int, int]] = []
    summary = run_campaign(
        jobs, tmp_path / "out", LocalBackend(), progress=lambda n, t, s: seen.append((n, t))
    )
    reps = lines(tmp_path / "out")
    assert len(reps) == 5 and seen == [(n, 5) for n in range(1, 6)]
    saved = json.loads((tmp_path / "out" / SUMMARY).read_text(encoding="utf-8"))
    assert saved == summary.to_dict()
    assert saved["total"] == saved["scanned"] == saved["reported"] == 5 and saved["skipped_already_done"] == 0
    assert saved["failed"] == 1  # broken.apk
    broken = next(r for r in reps if r["job"]["apk"].endswith("broken.apk"))
    assert broken["errors"] and "broken.apk" in broken["errors"][0]["message"]
    assert saved["findings"] == sum(len(r["findings"]) for r in reps) > 0
    assert sum(saved["by_problem_type"].values()) == saved["findings"] == sum(saved["by_severity"].values())
    assert list(saved["by_problem_type"]) == sorted(saved["by_problem_type"], key=int)


def test_resume_skips_done_apps_and_survives_a_torn_line(appdir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    jobs = discover_jobs(appdir)
    full = run_campaign(jobs, out, LocalBackend())
    # simulate a campaign killed while writing its 4th line: 3 whole lines and half of the 4th
    text = (out / REPORTS).read_text(encoding="utf-8").splitlines(keepends=True)
    (out / REPORTS).write_text("".join(text[:3]) + text[3][: len(text[3]) // 2], encoding="utf-8")
    done_before = {json.loads(x)["job"]["apk"] for x in text[:3]}
    rec = Recorder()
    resumed = run_campaign(jobs, out, rec, resume=True)
    assert resumed.skipped_done == 3 and resumed.scanned == 2
    assert sorted(rec.given) == sorted(Path(j.apk).name for j in jobs if j.apk not in done_before)
    reps = lines(out)  # every line parses: the torn one was cut, not glued to the next
    assert sorted(r["job"]["apk"] for r in reps) == sorted(j.apk for j in jobs)
    # the summary describes the whole campaign, as the uninterrupted run did
    a, b = full.to_dict(), resumed.to_dict()
    for key in ("total", "reported", "failed", "findings", "by_problem_type", "by_severity", "top_sdks"):
        assert a[key] == b[key], key
    # nothing left: a second resume scans nothing
    rec2 = Recorder()
    again = run_campaign(jobs, out, rec2, resume=True)
    assert rec2.given == [] and again.skipped_done == 5 and len(lines(out)) == 5


def test_without_resume_the_old_reports_are_replaced(appdir: Path, tmp_path: Path) -> None:
    jobs = discover_jobs(appdir)[:2]
    run_campaign(jobs, tmp_path, LocalBackend())
    run_campaign(jobs, tmp_path, LocalBackend())
    assert len(lines(tmp_path)) == 2


def test_done_keys_tolerates_garbage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / REPORTS).write_text(
        '3\n"x"\n{"job": 5}\n{"inputs": [7]}\n{"inputs": [{"path": "./z.apk"}]}\n{"job": {"apk": "y.apk"}}\n'
        "[[[[[\n\xff\n",
        encoding="utf-8",
    )
    assert done_keys(tmp_path) == {str(tmp_path / "z.apk"), str(tmp_path / "y.apk")}


@pytest.mark.parametrize(
    ("content", "kept"),
    [
        (b"", b""),
        (b"a\nb\n", b"a\nb\n"),
        (b"a\nb", b"a\n"),
        (b"torn", b""),
        (b"a\n" + b"x" * 200_000, b"a\n"),
    ],
)
def test_drop_torn_tail(tmp_path: Path, content: bytes, kept: bytes) -> None:
    p = tmp_path / "r.jsonl"
    p.write_bytes(content)
    drop_torn_tail(p)
    assert p.read_bytes() == kept


def test_summary_of_odd_report_lines() -> None:
    s = CampaignSummary(total=1)
    s.add({"findings": [{"problem_type": 10, "severity": "high"}, "junk"], "sdks": [{"id": "x"}, 3]})
    s.add({"errors": [{"message": "m"}], "findings": [], "app": {"package": ""}})
    d = s.to_dict()
    assert d["findings"] == 1 and d["failed"] == 1 and d["reported"] == 2 and d["top_sdks"] == {"x": 1}


class OddBackend:
    """Yields what a buggy job function might: a set, an enum, an unserialisable object, then a real report."""

    def run(self, jobs: list[Job]) -> Any:
        from apprights.model.finding import Severity

        yield {"job": {"apk": "a.apk"}, "findings": [], "sdks": [], "tags": {"b", "a"}, "sev": Severity.HIGH}
        yield {"job": {"apk": "b.apk"}, "findings": [], "blob": object()}
        yield from LocalBackend().run(jobs)


def test_unserialisable_reports_become_error_lines(tmp_path: Path) -> None:
    make_app(tmp_path / "c.apk", "com.t.c")
    summary = run_campaign([Job(apk=str(tmp_path / "c.apk"))], tmp_path / "out", OddBackend())
    reps = lines(tmp_path / "out")
    assert len(reps) == 3 and summary.reported == 3
    assert reps[0]["tags"] == ["a", "b"] and reps[0]["sev"] == "high"
    assert "not serialisable" in reps[1]["errors"][0]["message"] and reps[1]["job"]["apk"] == "b.apk"
    assert reps[2]["app"]["package"] == "com.t.c"
    assert summary.failed == 1


def test_lone_surrogates_in_a_report_keep_the_line_utf8(tmp_path: Path) -> None:
    class Surrogates:
        def run(self, jobs: list[Job]) -> Any:
            yield {"job": {"apk": "s.apk"}, "findings": [], "app": {"label": "新闻\ud800"}}

    run_campaign([Job(apk="s.apk")], tmp_path, Surrogates())
    raw = (tmp_path / REPORTS).read_bytes()
    raw.decode("utf-8")  # strict: valid UTF-8
    assert json.loads(raw)["app"]["label"] == "新闻\ud800"
