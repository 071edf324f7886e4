"""The precision table's gate (bench/score_findings.py against bench/expected/*.toml): on the sample APKs no
medium/high finding that an expected file marks as noise, recall of the expected findings >= 0.9, and the SDKs
the files mark present/absent reported/not reported. Also the scorer itself on a made-up report."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

import pytest

from apprights.rules.base import discover_rules
from tests.conftest import REPO, shared_path


def scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_findings", REPO / "bench" / "score_findings.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["score_findings"] = mod
    spec.loader.exec_module(mod)
    return mod


def _finding(rule: str, subject: str, severity: str, pi: list[str], kind: str = "sdk") -> dict[str, object]:
    return {
        "rule": rule,
        "severity": severity,
        "subject": {"kind": kind, "id": subject},
        "evidence": [{"source": "dex", "pi_type": p} for p in pi],
    }


def test_scorer_counts_hits_misses_noise_and_wrong_pi() -> None:
    sf = scorer()
    expected = {
        "apk": "x.apk",
        "sdks": {"present": ["a"], "absent": ["b"]},
        "expected": [
            {"rule": "T3.r", "subject": "a", "pi": ["location"]},
            {"rule": "T3.r", "subject": "c", "pi": ["contacts"]},
        ],
        "noise": [
            {"rule": "T6.s", "subject": "*", "max_severity": "low"},
            {"rule": "T2.i", "subject": "app"},
        ],
        "wrong_pi": [{"rule": "T3.r", "subject": "a", "pi": ["installed_apps"]}],
    }
    report = {
        "sdks": [{"id": "a"}, {"id": "b"}],
        "findings": [
            _finding("T3.r", "a", "medium", ["location", "installed_apps"]),
            _finding("T3.r", "c", "medium", ["carrier"]),
            _finding("T6.s", "a", "low", []),  # tolerated at low
            _finding("T6.s", "d", "medium", []),
            _finding("T2.i", "com.example", "low", [], kind="app"),
            _finding("T1.pol_no_policy", "com.example", "low", [], kind="app"),  # out of scope
            _finding("T4.x", "a", "low", []),  # unjudged
        ],
    }
    s = sf.score(expected, report)
    assert (s.rules["T3.r"].tp, s.rules["T3.r"].fn, s.rules["T3.r"].wrong_pi) == (1, 1, 1)
    assert s.misses == ["T3.r c: without PI ['contacts']"]
    assert (s.rules["T6.s"].fp, s.rules["T6.s"].fp_medium) == (1, 1) and len(s.blocking) == 1
    assert s.rules["T2.i"].fp == 1 and s.rules["T4.x"].unjudged == 1
    assert "T1.pol_no_policy" not in s.rules
    assert (s.sdk_tp, s.sdk_fp, s.sdk_fn) == (1, 1, 0)
    _, total = sf.totals([s])
    assert total.precision == pytest.approx(1 / 3) and total.recall == pytest.approx(1 / 2)


def test_a_finding_two_noise_entries_describe_is_one_false_positive_and_unjudged_are_listed() -> None:
    sf = scorer()
    expected = {
        "apk": "x.apk",
        "noise": [
            {"rule": "T2.i", "subject": "hms", "max_severity": "low"},
            {"rule": "T2.i", "subject": "*", "max_severity": "low"},
        ],
    }
    report = {"sdks": [], "findings": [_finding("T2.i", "hms", "medium", []), _finding("T4.x", "a", "low", [])]}
    s = sf.score(expected, report)
    assert s.rules["T2.i"].fp == 1 and len(s.noise) == 1
    assert s.unjudged == ["T4.x a (low, ?)"]  # no confidence in this hand-made finding


def test_sample_apks_meet_the_precision_target() -> None:
    shared = shared_path("apks-cn").parent
    sf = scorer()
    scores = sf.score_all(REPO / "bench" / "expected", shared)
    assert len(scores) >= 6
    blocking = [b for s in scores for b in s.blocking]
    assert blocking == [], blocking
    _, total = sf.totals(scores)
    assert total.recall is not None and total.recall >= 0.9, [m for s in scores for m in s.misses]
    sdk_errors = [e for s in scores for e in s.sdk_errors]
    assert sdk_errors == [], sdk_errors


def test_expected_files_are_well_formed() -> None:
    sf = scorer()
    rules = {r.id for r in discover_rules()}
    files = sorted((REPO / "bench" / "expected").glob("*.toml"))
    assert files
    for path in files:
        exp = sf.load_expected(path)
        assert exp["apk"].startswith(("apks-cn/", "apks/")), path.name
        for item in exp.get("expected", []) + exp.get("noise", []) + exp.get("wrong_pi", []):
            assert item["rule"] in rules and item.get("why"), (path.name, item)
            assert item.get("max_severity", "none") in sf.SEVERITY_RANK


def test_bad_expected_file_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    sf = scorer()
    bad = tmp_path / "x.toml"
    bad.write_text('apk = "apks/x.apk"\n[[expected]]\nsubject = "app"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="has no 'rule'"):
        sf.load_expected(bad)
    bad.write_text('apk = "apks/x\n', encoding="utf-8")
    with pytest.raises(ValueError, match="not valid TOML"):
        sf.load_expected(bad)
    assert sf.main(["--expected", str(tmp_path)]) == 2
