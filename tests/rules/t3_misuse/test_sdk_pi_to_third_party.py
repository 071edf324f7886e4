from __future__ import annotations

from apprights.model.finding import Confidence, SubjectKind
from apprights.rules.t3_misuse.sdk_pi_to_third_party import SdkPiToThirdParty
from apprights.testing.factories import make_code, make_facts, make_manifest, make_sdk_hit
from tests.rules.static_support import (
    ADS_SDK,
    DEVICE_ID_API,
    LOCAL_SDK,
    LOCATION_API,
    PUSH_SDK,
    only,
    run,
    static_kb,
)


def facts(sites=(), sdks=(), hosts=()):  # type: ignore[no-untyped-def]
    return make_facts(
        manifest=make_manifest("com.example.app"), code=make_code(sites, hosts=hosts), sdks=sdks
    )


def test_triggers_sdk_with_vendor_hosts_reading_device_id() -> None:
    sdk = make_sdk_hit(PUSH_SDK.id, knowledge=static_kb())
    f = only(
        run(
            SdkPiToThirdParty,
            facts(
                [(DEVICE_ID_API, "com.apprightstest.push.a.B", "c")],
                [sdk],
                hosts=["api.push.apprightstest.example"],
            ),
        )
    )
    assert (
        f.rule == "T3.sdk_pi_to_third_party"
        and f.subject.kind is SubjectKind.SDK
        and f.subject.id == PUSH_SDK.id
    )
    assert f.confidence is Confidence.PRESENT
    assert f.merge_key == f"T3.third_party:{PUSH_SDK.id}"
    net = f.evidence[0].data
    assert net["hosts_in_code"] == ["api.push.apprightstest.example"]
    assert net["vendor_hosts"] == ["push.apprightstest.example"]
    assert f.evidence[1].data["api"] == DEVICE_ID_API


def test_triggers_reachable_for_startup_sdk_of_networked_category() -> None:
    sdk = make_sdk_hit(ADS_SDK.id, knowledge=static_kb(), init_at_startup=True, pi_apis=[LOCATION_API])
    f = only(run(SdkPiToThirdParty, facts(sdks=[sdk])))
    assert f.confidence is Confidence.REACHABLE and f.evidence[0].data["category"] == "ads"


def test_clean_first_party_and_offline_sdks() -> None:
    assert run(SdkPiToThirdParty, facts([(DEVICE_ID_API, "com.example.app.Main", "m")])) == []
    local = make_sdk_hit(LOCAL_SDK.id, knowledge=static_kb())
    assert run(SdkPiToThirdParty, facts([(DEVICE_ID_API, "com.apprightstest.local.X", "m")], [local])) == []
    quiet = make_sdk_hit(PUSH_SDK.id, knowledge=static_kb())
    assert run(SdkPiToThirdParty, facts(sdks=[quiet])) == []
