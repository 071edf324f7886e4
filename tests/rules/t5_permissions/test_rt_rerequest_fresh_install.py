"""The refuse and agree paths of one collector run are separate fresh installs: a denial on the refuse path
and the agree path's own first request are not "asked again within 48 h" (a false high from scanning both
traces together). A relaunch without reinstall still continues the timeline."""

from __future__ import annotations

from pathlib import Path

from apprights.collect.trace import TraceWriter
from apprights.extractors.trace import extract_traces
from apprights.model.facts import AppFacts
from apprights.rules.base import RuleContext
from apprights.rules.t5_permissions.rt_rerequest_after_denial import RerequestAfterDenial
from apprights.testing.factories import make_knowledge

PKG = "com.example.news"
PHONE = "android.permission.READ_PHONE_STATE"


def _session(tmp: Path, name: str, started: str, *, fresh: bool, deny: bool) -> Path:
    header: dict[str, object] = {"package": PKG, "started_at": started, "scenario": name}
    if fresh:
        header["fresh_install"] = True
    w = TraceWriter(tmp / f"{name}.jsonl", header)
    w.add({"type": "consent", "t": 1.0, "action": "shown"})
    w.add({"type": "consent", "t": 2.0, "action": "agreed"})
    w.add({"type": "permission_request", "t": 3.0, "permissions": [PHONE]})
    if deny:
        w.add({"type": "permission_result", "t": 4.0, "permission": PHONE, "result": "denied"})
    return w.close()


def _findings(traces: list[Path]) -> list[object]:
    kb = make_knowledge()
    facts = AppFacts(runtime=extract_traces(traces, kb))
    return list(RerequestAfterDenial().check(facts, RuleContext(kb, {})))


def test_separate_fresh_installs_are_separate_timelines(tmp_path: Path) -> None:
    refuse = _session(tmp_path, "refuse-path", "2026-11-28T13:00:00+00:00", fresh=True, deny=True)
    agree = _session(tmp_path, "agree-path", "2026-11-28T13:05:00+00:00", fresh=True, deny=False)
    assert _findings([refuse, agree]) == []
    assert _findings([agree, refuse]) == []


def test_relaunch_without_reinstall_continues_the_timeline(tmp_path: Path) -> None:
    first = _session(tmp_path, "first", "2026-11-28T13:00:00+00:00", fresh=True, deny=True)
    relaunch = _session(tmp_path, "relaunch", "2026-11-28T13:05:00+00:00", fresh=False, deny=False)
    (finding,) = _findings([first, relaunch])
    assert "PHONE" in finding.key  # type: ignore[attr-defined]
