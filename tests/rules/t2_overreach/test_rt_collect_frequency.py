from __future__ import annotations

from apprights.rules.t2_overreach.rt_collect_frequency import CollectFrequency, longest_periodic_run
from tests.extractors.trace.support import run_file


def test_triggers_imei_every_two_seconds() -> None:
    (f,) = run_file(CollectFrequency, "t2_violate.jsonl")
    assert f.key == "frequency:device_id"
    data = f.evidence[0].data
    assert data["unprompted_reads"] == 9  # the read 0.5 s after the tap is prompted
    assert data["periodic_run"] == 9 and data["median_gap_s"] == 2.0 and data["min_gap_s"] == 2.0


def test_triggers_on_count_alone() -> None:
    found = run_file(CollectFrequency, "t2_violate.jsonl", period_s=1.0, max_reads=5)
    assert [f.key for f in found] == ["frequency:device_id"]


def test_clean_single_prompted_reads() -> None:
    assert run_file(CollectFrequency, "t2_clean.jsonl") == []


def test_clean_when_period_threshold_shorter_than_gaps() -> None:
    assert run_file(CollectFrequency, "t2_violate.jsonl", period_s=1.0) == []


def test_longest_periodic_run() -> None:
    assert longest_periodic_run([], 30) == (0, 0)
    assert longest_periodic_run([1.0], 30) == (1, 0)
    assert longest_periodic_run([0, 100, 110, 120, 500], 30) == (3, 1)
