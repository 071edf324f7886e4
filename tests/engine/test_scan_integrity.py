from pathlib import Path

import pytest

from apprights.engine.scan import ScanRequest, ruleset_version, scan
from apprights.errors import InputError

REPO = Path(__file__).resolve().parents[2]


def test_trace_of_another_app_is_refused(knowledge) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=r"trace records package 'com\.example\.news' but the APK is"):
        scan(
            ScanRequest(
                apk=REPO / "samples/apks/bugly-demo.apk",
                traces=[REPO / "samples/demo/trace-first-launch.jsonl"],
            ),
            knowledge,
        )


def test_matching_trace_is_accepted(knowledge) -> None:  # type: ignore[no-untyped-def]
    res = scan(
        ScanRequest(
            apk=REPO / "samples/demo/news-5.2.0.apk", traces=[REPO / "samples/demo/trace-first-launch.jsonl"]
        ),
        knowledge,
    )
    assert any(f["confidence"].startswith("observed") for f in res.report["findings"])


def test_report_lists_call_sites_and_versions(knowledge) -> None:  # type: ignore[no-untyped-def]
    rep = scan(ScanRequest(apk=REPO / "samples/demo/news-5.2.0.apk"), knowledge).report
    sites = rep["code"]["call_sites"]
    assert {
        "api": "android.telephony.TelephonyManager.getDeviceId",
        "caller_class": "com.umeng.commonsdk.statistics.common.DeviceConfig",
        "caller_method": "getImeiNew",
    }.items() <= sites[0].items() or any(
        s["api"].endswith("getDeviceId") and s["caller_class"].startswith("com.umeng") for s in sites
    )
    assert rep["code"]["call_site_count"] == len(sites)
    assert rep["tool"]["ruleset"] == ruleset_version() and "+" in rep["tool"]["ruleset"]
    assert "policy_lexicon" in rep["tool"]["knowledge_versions"]
