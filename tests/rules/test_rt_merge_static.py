"""End to end: a static suspicion and its runtime confirmation are reported once (engine merge keys)."""

from __future__ import annotations

from pathlib import Path

import pytest

from apprights.engine.scan import ScanRequest, scan
from apprights.knowledge import Knowledge
from apprights.model.finding import Finding

DEMO = Path(__file__).resolve().parents[2] / "samples" / "demo"
APK = DEMO / "news-5.2.0.apk"
TRACE = DEMO / "trace-first-launch.jsonl"


@pytest.fixture(scope="module")
def findings() -> list[Finding]:
    if not APK.exists() or not TRACE.exists():
        pytest.skip("samples/demo is absent")
    return scan(ScanRequest(apk=APK, traces=[TRACE], category="新闻资讯类"), Knowledge.load()).run.findings


def test_umeng_boot_self_start_reported_once_with_manifest_and_trace_evidence(
    findings: list[Finding],
) -> None:
    boot = [
        f
        for f in findings
        if f.problem_type == 6
        and f.merge_key.startswith("T6.self_start:")
        and "umeng" in f.subject.id
        and any("BOOT_COMPLETED" in str(e.data) for e in f.evidence)
    ]
    assert len(boot) == 1, [(f.rule, f.subject.id, f.merge_key) for f in boot]
    f = boot[0]
    assert f.confidence.value.startswith("observed")
    assert {e.source for e in f.evidence} >= {"manifest", "trace"}
    assert {f.rule, *f.also_rules} == {"T6.self_start", "T6.self_start_receiver"}
    trace_ev = [e for e in f.evidence if e.source == "trace"]
    assert any("BootBroadcastReceiver" in str(e.data.get("component")) for e in trace_ev)
    # no second self-start finding for the same subject survives the merge
    assert not [g for g in findings if g is not f and g.merge_key == f.merge_key]


def test_observed_start_of_another_app_merges_with_the_static_suspicion(findings: list[Finding]) -> None:
    partner = [
        f for f in findings if f.rule == "T6.associated_start" or "T6.associated_start" in f.also_rules
    ]
    partner = [f for f in partner if any("com.example.partner" in str(e.data) for e in f.evidence)]
    assert len(partner) == 1
    f = partner[0]
    assert f.merge_key == f"T6.associated_start:{f.subject.id}"
    # the static rule sees the app's own starter code (KeepAlive) in the APK
    assert "T6.starts_other_apps" in [f.rule, *f.also_rules]
    assert {e.source for e in f.evidence} >= {"dex", "trace"}
    assert f.confidence.value.startswith("observed")


def test_observed_read_beyond_category_merges_with_the_static_suspicion(findings: list[Finding]) -> None:
    """AMap reads the location at run time (trace) and its code calls the location API (dex): one T2 finding."""
    loc = [f for f in findings if f.merge_key == "T2.pi:amap-location:location"]
    assert len(loc) == 1
    f = loc[0]
    assert {f.rule, *f.also_rules} == {"T2.collect_beyond_category", "T2.pi_outside_category"}
    assert f.confidence.value.startswith("observed")
    assert {e.source for e in f.evidence} >= {"dex", "trace"}
