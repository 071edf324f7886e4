"""Runtime rules honour the catalogue's flags as the static side does: everyday start-up calls (the app's own
package info, ``startActivity``, ``File.mkdirs``) are not "collected before consent / after refusal / in the
background" (regressions from real device runs, written as the collector writes them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from apprights.collect.trace import TraceWriter
from apprights.extractors.trace import extract_traces
from apprights.model.facts import AppFacts
from apprights.rules._rt_common import is_collection
from apprights.rules.base import Rule, RuleContext
from apprights.rules.t1_collect.rt_collect_after_refusal import CollectAfterRefusal
from apprights.rules.t1_collect.rt_collect_before_consent import CollectBeforeConsent
from apprights.rules.t2_overreach.rt_collect_in_background import CollectInBackground
from apprights.testing.factories import make_knowledge

PKG = "com.example.news"
APP = ["com.example.news.App.onCreate(App.java:20)"]
STARTUP = [
    ("android.content.pm.PackageManager.getPackageInfo", [PKG, 0], "PackageInfo{1 com.example.news}"),
    ("android.app.ApplicationPackageManager.getPackageInfoAsUser", [PKG, 0, 0], None),
    ("android.app.Activity.startActivity", [{"$intent": True, "component": f"{PKG}/.MainActivity"}], None),
    ("java.io.File.mkdirs", [], True),
]
IMEI = ("android.telephony.TelephonyManager.getDeviceId", [], "861234567890123")


def _trace(tmp: Path, name: str, before: list[dict[str, Any]], after: list[dict[str, Any]]) -> Path:
    w = TraceWriter(tmp / name, {"package": PKG})
    w.extend(before)
    t = 1.0
    for api, args, ret in [*STARTUP, IMEI]:
        w.add({"type": "api_call", "t": t, "api": api, "args": args, "ret": ret, "stack": [api, *APP]})
        t += 0.1
    w.extend(after)
    return w.close()


def _findings(rule: type[Rule], trace: Path) -> list[Any]:
    kb = make_knowledge()
    facts = AppFacts(runtime=extract_traces([trace], kb))
    return list(rule().check(facts, RuleContext(kb, {})))


@pytest.mark.parametrize(
    ("rule", "before", "after"),
    [
        (CollectBeforeConsent, [{"type": "consent", "t": 0.5, "action": "shown"}], []),
        (CollectAfterRefusal, [{"type": "consent", "t": 0.5, "action": "refused"}], []),
        (
            CollectInBackground,
            [
                {"type": "consent", "t": 0.1, "action": "agreed"},
                {"type": "app_state", "t": 0.5, "state": "background"},
            ],
            [],
        ),
    ],
)
def test_startup_calls_are_not_collection(
    tmp_path: Path, rule: type[Rule], before: list[dict[str, Any]], after: list[dict[str, Any]]
) -> None:
    (finding,) = _findings(rule, _trace(tmp_path, "t.jsonl", before, after))
    apis = {e.data.get("api") for e in finding.evidence}
    assert apis == {IMEI[0]}  # the IMEI read stays; the start-up calls do not make a finding


def test_is_collection_follows_the_catalogue() -> None:
    ctx = RuleContext(make_knowledge(), {})
    assert is_collection(ctx, "android.telephony.TelephonyManager.getDeviceId")
    assert is_collection(ctx, "android.app.ApplicationPackageManager.getInstalledPackages")
    for api, _, _ in STARTUP:
        assert not is_collection(ctx, api), api
    assert is_collection(ctx, "com.vendor.Unknown.read")  # not in the catalogue: the extractor decided


def test_an_attempted_read_is_collection_and_says_it_threw(tmp_path: Path) -> None:
    """getImei on Android 10+ throws for ordinary apps: the SDK still tried to collect the IMEI before consent;
    the evidence says the read was attempted and failed, so the notice does not claim the value was obtained."""
    w = TraceWriter(tmp_path / "e.jsonl", {"package": PKG})
    w.add({"type": "consent", "t": 0.5, "action": "shown"})
    w.add(
        {
            "type": "api_call",
            "t": 1.0,
            "api": "android.telephony.TelephonyManager.getImei",
            "args": [],
            "error": "java.lang.SecurityException: getImeiForSlot: The user 10234 does not meet the requirements",
            "stack": [
                "android.telephony.TelephonyManager.getImei",
                "com.umeng.commonsdk.statistics.common.DeviceConfig.getImeiNew",
            ],
        }
    )
    (finding,) = _findings(CollectBeforeConsent, w.close())
    (ev,) = finding.evidence
    assert ev.data["api"] == "android.telephony.TelephonyManager.getImei"
    assert ev.data["outcome"].startswith("attempted, threw java.lang.SecurityException")
    assert finding.subject.id.startswith("umeng")
