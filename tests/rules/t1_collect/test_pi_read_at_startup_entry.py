"""T1.pi_read_at_startup names the start-up calls that initialise the SDK (from CodeFacts.entry_calls)."""

from __future__ import annotations

from apprights.model.finding import Confidence
from apprights.rules.t1_collect.pi_read_at_startup import PiReadAtStartup
from apprights.testing.factories import make_code, make_facts, make_manifest, make_sdk_hit
from tests.rules.static_support import DEVICE_ID_API, PUSH_SDK, only, run, static_kb


def test_startup_calls_come_from_startup_evidence_only() -> None:
    sdk = make_sdk_hit(PUSH_SDK.id, knowledge=static_kb(), init_at_startup=True)
    sdk.evidence = [
        "code: 3 classes under com.apprightstest.push",
        "calls android.telephony.TelephonyManager.getDeviceId from com.apprightstest.push.a.B.c",
        "app: com.example.app.Main.onClick calls com.apprightstest.push.Push.register",
        "startup: Application com.example.app.App.onCreate calls com.apprightstest.push.Push.init",
    ]
    facts = make_facts(
        manifest=make_manifest("com.example.app", application_class="com.example.app.App"),
        code=make_code([(DEVICE_ID_API, "com.apprightstest.push.a.B", "c")]),
        sdks=[sdk],
    )
    f = only(run(PiReadAtStartup, facts))
    assert f.subject.id == PUSH_SDK.id and f.confidence is Confidence.REACHABLE
    assert f.evidence[0].data["startup"] == "init_at_startup"
    assert f.evidence[0].data["startup_calls"] == [
        "Application com.example.app.App.onCreate calls com.apprightstest.push.Push.init"
    ]
