from __future__ import annotations

from apprights.rules.t3_misuse.rt_pi_to_other_app import PiToOtherApp, extras_pi
from tests.extractors.trace.support import run_file


def test_triggers_imei_and_lat_extras_to_partner() -> None:
    (f,) = run_file(PiToOtherApp, "t3_violate.jsonl")
    assert f.key == "intent:com.partner.wallet"
    assert f.evidence[0].data["pi_keys"] == ["imei", "lat"]


def test_clean_extras_without_pi() -> None:
    assert run_file(PiToOtherApp, "t3_clean.jsonl") == []


def test_extras_key_names() -> None:
    assert extras_pi("deviceId") == "device_id"
    assert extras_pi("user_lat") == "location"
    assert extras_pi("mobile") == "phone_number"
    assert extras_pi("mobile_layout_id") is None
    assert extras_pi("machine") is None
    assert extras_pi("mac") == "mac"
    assert extras_pi("simIccid") == "iccid" and extras_pi("IMSI") == "imsi"  # issue 8: ICCID is its own type
    assert extras_pi("userLocation") == "location"
    assert extras_pi("memory_allocation") is None
    assert extras_pi("platform") is None
