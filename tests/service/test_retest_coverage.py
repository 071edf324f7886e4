"""The service's re-test uses the diff's coverage logic: absence proves a fix only where the re-test looked."""

from __future__ import annotations

import json
from typing import Any

from apprights.service.scans.factory import make_finding, make_report
from tests.service.conftest import World
from tests.service.test_workflow import PKG, confirm_all, ingest

CASE_RULE = "t1.collect_before_consent"  # its evidence (factory) is a trace event and a policy excerpt
APP = ("app", PKG, "示例商城")


def _rep(code: int, findings: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    return make_report(
        PKG,
        version_name=f"1.0.{code}",
        version_code=code,
        label="示例商城",
        findings=findings,
        store="huawei",
        **kw,
    )


def _case_awaiting_retest(w: World) -> int:
    run = ingest(w, _rep(1, [make_finding(CASE_RULE, 1, APP, key="imei")]))["scan_run_ids"][0]
    case_id = int(confirm_all(w, run)[0])
    w.ok("province", "POST", f"/api/v1/cases/{case_id}/notice", json={"issued_on": "2026-09-18"})
    w.ok("enterprise", "POST", f"/api/v1/cases/{case_id}/response", json={"text": "已整改"})
    return case_id


def _retest(w: World, case_id: int, report: dict[str, Any]) -> Any:
    run = ingest(w, report)["scan_run_ids"][0]  # a test agency's report (self-checks never decide)
    return w.call("province", "POST", f"/api/v1/cases/{case_id}/retest", json={"scan_run_id": run})


def _state(w: World, case_id: int) -> str:
    return str(w.ok("ministry", "GET", f"/api/v1/cases/{case_id}")["state"])


def test_retest_needs_coverage_of_the_case_rule_and_its_evidence(world: World) -> None:
    w = world
    case_id = _case_awaiting_retest(w)
    assert _state(w, case_id) == "response_submitted"
    # a clean-looking report that does not say what ran (an older report): no proof, the case stays put
    r = _retest(w, case_id, _rep(2, []))
    assert r.status_code == 409 and "which rules ran" in r.text
    assert _state(w, case_id) == "response_submitted"
    # the re-test ran other rules only
    r = _retest(w, case_id, _rep(3, [], rules_run=["t5.other"]))
    assert r.status_code == 409 and f"rule {CASE_RULE} did not run" in r.text
    # the rule ran, but without the trace and policy the finding rested on
    r = _retest(w, case_id, _rep(4, [], rules_run=[CASE_RULE], evidence_kinds=("static",)))
    assert r.status_code == 409 and "policy, trace" in r.text
    # another signing certificate is not a re-test of this enterprise's app
    other = _rep(5, [], rules_run=[CASE_RULE])
    other["app"]["signer_sha256"] = ["ab" * 32]
    r = _retest(w, case_id, other)
    assert r.status_code == 409 and "different certificate" in r.text
    assert _state(w, case_id) == "response_submitted"
    # a full re-test that ran the rule on the same evidence and did not find it: rectified
    r = _retest(w, case_id, _rep(6, [], rules_run=[CASE_RULE]))
    assert r.status_code == 200, r.text
    assert json.loads(r.text)["state"] == "rectified"


def test_recurrence_needs_no_coverage(world: World) -> None:
    w = world
    case_id = _case_awaiting_retest(w)
    # an older report without coverage still proves what it found
    r = _retest(w, case_id, _rep(2, [make_finding(CASE_RULE, 1, APP, key="imei")]))
    assert r.status_code == 200 and json.loads(r.text)["state"] == "not_rectified"


def test_stored_report_reads_back_the_submitted_report(world: World) -> None:
    from sqlalchemy import select

    from apprights.service.scans.models import ScanRun
    from apprights.service.scans.stored import stored_report

    w = world
    run_id = ingest(w, _rep(7, [], rules_run=[CASE_RULE]))["scan_run_ids"][0]
    session = w.client.app.state.sessionmaker()
    try:
        run = session.scalar(select(ScanRun).where(ScanRun.id == run_id))
        doc = stored_report(session, w.settings.data_dir, run)
        assert (
            doc is not None
            and doc["app"]["version_code"] == 7
            and doc["coverage"]["rules_run"] == [CASE_RULE]
        )
        run.submission_id = None  # a run whose bytes were never kept (older than migration 0005)
        assert stored_report(session, w.settings.data_dir, run) is None
        session.rollback()
    finally:
        session.close()


def test_evidence_kinds_come_from_the_stored_report_not_the_truncated_rows(world: World) -> None:
    w = world
    f = make_finding(CASE_RULE, 1, APP, key="imei")
    # 11 call sites, then the trace event that proved it: the finding rows keep only the first 10 items
    f["evidence"] = [{"source": "dex", "api": f"A.m{i}", "caller_class": "C"} for i in range(11)] + [
        {"source": "trace", "event": 3, "kind": "api_call"}
    ]
    run = ingest(w, _rep(1, [f]))["scan_run_ids"][0]
    case_id = int(confirm_all(w, run)[0])
    w.ok("province", "POST", f"/api/v1/cases/{case_id}/notice", json={"issued_on": "2026-09-18"})
    w.ok("enterprise", "POST", f"/api/v1/cases/{case_id}/response", json={"text": "已整改"})
    static_only = _rep(2, [], rules_run=[CASE_RULE], evidence_kinds=("static", "policy"))
    r = _retest(w, case_id, static_only)
    assert r.status_code == 409 and "lacked the evidence kind(s): trace" in r.text
    assert _state(w, case_id) == "response_submitted"
