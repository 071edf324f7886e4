"""Behaviour of the dex extractor on real apps and on broken input."""

from __future__ import annotations

import dataclasses
import struct

import pytest

from apprights.errors import InputError
from apprights.extractors.dex import DexScan, DexTargets, extract_code, scan_dex
from tests.conftest import shared_path
from tests.extractors.dex.helpers import LOCAL_TARGETS, dex_blobs

IMEI = ("Landroid/telephony/TelephonyManager;", "getDeviceId")


def _dex(rel: str) -> bytes:
    return dex_blobs(shared_path(*rel.split("/")))[0][1]


def test_targets_from_catalogue(knowledge) -> None:  # type: ignore[no-untyped-def]
    t = DexTargets.from_catalogue(knowledge.sensitive_apis)
    assert IMEI in t.pairs
    assert "getDeviceId" in t.names
    # the catalogue's APIs plus the signature reads a rule judges walks over the installed packages by
    sig = {
        ("Landroid/content/pm/Signature;", "toCharsString"),
        ("Landroid/content/pm/Signature;", "toByteArray"),
    }
    assert t.pairs == knowledge.sensitive_apis.targets() | sig


def test_targets_are_built_once_per_catalogue(knowledge) -> None:  # type: ignore[no-untyped-def]
    catalogue = knowledge.sensitive_apis
    assert DexTargets.from_catalogue(catalogue) is DexTargets.from_catalogue(catalogue)
    # another catalogue (a copy with fewer APIs) gets its own targets, not the first one's
    imei_free = dataclasses.replace(
        catalogue, apis=[a for a in catalogue.apis if a.method_name != "getDeviceId"]
    )
    t = DexTargets.from_catalogue(imei_free)
    assert t is not DexTargets.from_catalogue(catalogue)
    assert IMEI not in t.pairs and len(t) == len(imei_free.targets()) + 2  # + the two signature reads


def test_imei1_calls_get_device_id_in_app_code(knowledge) -> None:  # type: ignore[no-untyped-def]
    path = shared_path("apks", "droidbench__IMEI1.apk")
    code = extract_code(
        dex_blobs(path), DexTargets.from_catalogue(knowledge.sensitive_apis), own_package="de.ecspride"
    )
    assert "android.telephony.TelephonyManager.getDeviceId" in code.referenced_apis
    own = [
        c
        for c in code.call_sites
        if c.api == "android.telephony.TelephonyManager.getDeviceId"
        and c.caller_class.startswith("de.ecspride.")
    ]
    assert own, code.call_sites
    assert all(c.dex == "classes.dex" and c.count >= 1 for c in own)
    assert code.dex_files == ["classes.dex"] and code.dex_bytes > 0
    assert "de.ecspride.MainActivity" in code.defined_classes


def test_call_site_counts_each_invoke(knowledge) -> None:  # type: ignore[no-untyped-def]
    # LogNoLeak references getDeviceId in one method only; counts are per invoke instruction
    scan = scan_dex("classes.dex", _dex("apks/droidbench__ArrayCopy1.apk"), DexTargets([IMEI]))
    assert isinstance(scan, DexScan)
    assert [(c.caller_class, c.caller_method, c.count) for c in scan.call_sites] == [
        ("edu.mit.array_copy.MainActivity", "onCreate", 1)
    ]
    assert scan.referenced_apis == ["android.telephony.TelephonyManager.getDeviceId"]


def test_no_targets_means_no_call_sites() -> None:
    scan = scan_dex("classes.dex", _dex("apks/droidbench__IMEI1.apk"), DexTargets([]))
    assert scan.call_sites == [] and scan.referenced_apis == []
    assert scan.class_count == len(scan.defined_classes) > 0


def test_unreferenced_target_is_not_reported() -> None:
    scan = scan_dex(
        "classes.dex", _dex("apks/droidbench__IMEI1.apk"), DexTargets([("Lcom/nowhere/Nothing;", "x")])
    )
    assert scan.referenced_apis == [] and scan.call_sites == []


def test_content_uri_and_action_strings_carry_their_caller() -> None:
    scan = scan_dex("classes.dex", _dex("apks/androguard__com.politedroid_4.apk"), DexTargets(LOCAL_TARGETS))
    refs = {(s.kind, s.value, s.caller_class) for s in scan.strings}
    assert ("content_uri", "content://com.android.calendar", "com.politedroid.calendar.a") in refs
    scan = scan_dex("classes.dex", _dex("apks/fdroid__souch.smsbypass_9.apk"), DexTargets(LOCAL_TARGETS))
    assert ("action", "android.intent.action.BATTERY_CHANGED", "souch.smsbypass.BatteryFacade") in {
        (s.kind, s.value, s.caller_class) for s in scan.strings
    }


def test_own_package_strings_are_not_foreign() -> None:
    blobs = dex_blobs(shared_path("apks", "fdroid__org.dyndns.fules.ck_20.apk"))
    t = DexTargets(LOCAL_TARGETS)
    anyone = extract_code(blobs, t)
    own = extract_code(blobs, t, own_package="org.dyndns.fules.ck")
    assert any(s.kind == "package" and s.value.startswith("org.dyndns.fules.ck.") for s in anyone.strings)
    assert not any(s.kind == "package" and s.value.startswith("org.dyndns.fules.ck.") for s in own.strings)


def test_urls_and_hosts() -> None:
    code = extract_code(
        dex_blobs(shared_path("apks", "androguard__com.teleca.jamendo_35.apk")), DexTargets([])
    )
    assert code.urls and all(
        u.lower().startswith(("http://", "https://", "ws://", "wss://")) for u in code.urls
    )
    assert len(code.urls) == len(set(code.urls))
    assert code.hosts and all("/" not in h for h in code.hosts)


def test_multidex_merges_all_dex_files(knowledge) -> None:  # type: ignore[no-untyped-def]
    blobs = dex_blobs(shared_path("apks", "androguard__app-prod-debug.apk"))
    assert len(blobs) == 2
    t = DexTargets.from_catalogue(knowledge.sensitive_apis)
    code = extract_code(blobs, t)
    one = [scan_dex(n, b, t) for n, b in blobs]
    assert code.dex_files == ["classes.dex", "classes2.dex"]
    assert code.class_count == sum(s.class_count for s in one)
    assert code.method_count == sum(s.method_count for s in one)
    assert code.dex_bytes == sum(len(b) for _, b in blobs)


@pytest.mark.parametrize("cut", [0, 8, 0x6F, 0x70, 0x200, -1000])
def test_truncated_dex_is_input_error(cut: int) -> None:
    data = _dex("apks/droidbench__IMEI1.apk")
    with pytest.raises(InputError) as e:
        scan_dex("x.apk!classes.dex", data[:cut], DexTargets([IMEI]))
    assert e.value.path == "x.apk!classes.dex"


def test_truncated_but_consistent_header_still_input_error() -> None:
    data = bytearray(_dex("apks/droidbench__IMEI1.apk")[:5000])
    struct.pack_into("<I", data, 32, len(data))  # make file_size agree; tables still point past the end
    with pytest.raises(InputError):
        scan_dex("classes.dex", bytes(data), DexTargets([IMEI]))


def test_not_a_dex_is_input_error() -> None:
    with pytest.raises(InputError, match="not a dex"):
        scan_dex("classes.dex", b"PK\x03\x04" + b"\x00" * 200, DexTargets([IMEI]))


def test_extract_code_records_bad_dex_and_continues(knowledge) -> None:  # type: ignore[no-untyped-def]
    good = _dex("apks/droidbench__ArrayCopy1.apk")
    code = extract_code(
        [("classes.dex", good[:100]), ("a.apk!classes.dex", good)],
        DexTargets.from_catalogue(knowledge.sensitive_apis),
    )
    assert len(code.warnings) == 1 and code.warnings[0].startswith("classes.dex: ")
    assert code.dex_files == ["a.apk!classes.dex"]
    assert [c.dex for c in code.call_sites] == ["a.apk!classes.dex"]
