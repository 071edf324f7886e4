"""``--mask`` keeps no raw identifier anywhere in the trace (collect.masking): hashing ``ret`` alone left the IMEI
in the requests, the TLS/Cipher plaintext, API arguments and screens. Each redacted place must still be matched
to the read, so masking costs no finding."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from apprights.collect.agent import MessageConverter
from apprights.collect.masking import Redactor, find_leaks
from apprights.collect.trace import TraceWriter, validate_trace_file
from apprights.extractors.trace import extract_trace_session

PKG = "com.example.news"
DEVICE_T0 = 1764300000.0
IMEI = "861234567890123"
ANDROID_ID = "9774d56d682e549c"
GET_IMEI = "android.telephony.TelephonyManager.getImei"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _read(api: str, ret: Any, t_ms: float) -> dict[str, Any]:
    return {
        "type": "send",
        "payload": {
            "type": "api_call",
            "api": api,
            "t": DEVICE_T0 * 1000 + t_ms,
            "args": [],
            "ret": ret,
            "stack": [
                api,
                "com.umeng.commonsdk.statistics.idtracking.ImeiTracker.getImei",
                "com.example.news.App.onCreate",
            ],
        },
    }


def _request(t: float, **fields: Any) -> dict[str, Any]:
    # one host per request: transfers are kept a few per (host, value, sender), and each request must show
    return {"type": "network", "t": t, "host": f"h{int(t)}.umeng.com", "method": "POST", **fields}


# one request per place a masked trace used to keep the value
PLACES: dict[str, dict[str, Any]] = {
    "url": {"url": f"https://ulogs.umeng.com/u?imei={IMEI}"},
    "header md5": {"request_headers": {"X-Did": hashlib.md5(IMEI.encode()).hexdigest().upper()}},
    "gzip body": {
        "request_headers": {"Content-Encoding": "gzip"},
        "request_body_b64": _b64(gzip.compress(json.dumps({"imei": IMEI}).encode())),
    },
    "base64 blob body": {
        "request_body_b64": _b64(_b64(json.dumps({"imei": IMEI, "n": 1}).encode()).encode())
    },
    "sha1 in form": {"request_body_b64": _b64(f"a=1&d={hashlib.sha1(IMEI.encode()).hexdigest()}".encode())},
    "base64 value": {"request_body_b64": _b64(json.dumps({"x": _b64(IMEI.encode())}).encode())},
}


def _trace(tmp_path: Path, mask: bool) -> Path:
    red = Redactor()
    conv = MessageConverter(DEVICE_T0, process=PKG, mask=mask, on_raw=red.add if mask else None)
    w = TraceWriter(tmp_path / f"t-{mask}.jsonl", {"package": PKG})
    if mask:
        w.redact = red.redact
    w.add({"type": "consent", "t": 0.0, "action": "shown"})
    w.extend(conv.convert(_read(GET_IMEI, IMEI, 100)))
    for i, fields in enumerate(PLACES.values()):
        w.add(_request(1.0 + i, **fields))
    # and where the request is not the only place: Cipher input, an API argument, a screen
    w.add(
        {
            "type": "crypto",
            "op": "cipher",
            "t": 9.0,
            "algorithm": "AES/CBC/PKCS5Padding",
            "mode": "encrypt",
            "method": "doFinal",
            "data_b64": _b64(json.dumps({"did": IMEI}).encode()),
            "stack": ["javax.crypto.Cipher.doFinal", "com.umeng.commonsdk.a.b"],
        }
    )
    w.add(
        {
            "type": "api_call",
            "t": 9.5,
            "api": "android.content.SharedPreferences$Editor.putString",
            "args": ["imei", IMEI],
            "stack": ["com.umeng.commonsdk.a.c"],
        }
    )
    w.add({"type": "ui", "t": 10.0, "screen": "AboutActivity", "texts": [f"设备号 {IMEI}"]})
    return w.close()


def test_a_masked_trace_keeps_no_form_of_the_value_anywhere(tmp_path: Path) -> None:
    assert find_leaks(_trace(tmp_path, mask=False), [IMEI])  # the check finds them when they are there
    trace = _trace(tmp_path, mask=True)
    validate_trace_file(trace)
    assert find_leaks(trace, [IMEI]) == []
    events = [json.loads(line) for line in trace.read_text(encoding="utf-8").splitlines()]
    (read,) = [e for e in events if e.get("api") == GET_IMEI]
    assert read["ret_sha256"] == hashlib.sha256(IMEI.encode()).hexdigest()  # the hash kept by design
    gz = next(
        e for e in events if e["type"] == "network" and "Content-Encoding" in e.get("request_headers", {})
    )
    assert gz["masked_decoded"] == ["request_body_b64: decompressed"]


def test_every_redacted_place_is_still_matched_to_the_read(tmp_path: Path, knowledge: Any) -> None:
    plain = extract_trace_session(_trace(tmp_path, mask=False), knowledge)
    masked = extract_trace_session(_trace(tmp_path, mask=True), knowledge)
    for session in (plain, masked):
        assert sorted(x.at.t for x in session.pi_transfers) == [1.0 + i for i in range(len(PLACES))]
        assert {x.pi_type for x in session.pi_transfers} == {"device_id"}
        assert [p.pi_type for p in session.pi_encrypted] == ["device_id"]
    assert {x.value_sha256 for x in masked.pi_transfers} == {hashlib.sha256(IMEI.encode()).hexdigest()}


def test_the_phone_identifiers_seeded_by_the_lab_are_removed_too(tmp_path: Path) -> None:
    red = Redactor()
    red.add(ANDROID_ID)
    ev = _request(
        1.0, url=f"https://a.example.cn/x?aid={ANDROID_ID.upper()}", request_headers={ANDROID_ID: "k"}
    )
    out = red.redact(ev)
    text = json.dumps(out)
    assert ANDROID_ID not in text.lower() and "[masked:" in text and ev["url"].endswith(ANDROID_ID.upper())


@pytest.mark.parametrize(
    "value", ["unknown", "000000000000000", "02:00:00:00:00:00", "", True, 7, {"lat": 1}]
)
def test_trivial_and_structured_values_are_not_learned(value: Any) -> None:
    """What ``masked_variants`` ignores is not redacted either: a placeholder IMEI or a default MAC would
    otherwise blank out every zero run in the trace."""
    red = Redactor()
    red.add(value)
    assert len(red) == 0
    ev = _request(1.0, url="https://a.example.cn/x?n=000000000000000&s=unknown")
    assert red.redact(ev) is ev


def test_a_capture_file_the_trace_could_not_take_is_masked_in_place(tmp_path: Path) -> None:
    red = Redactor()
    red.add(IMEI)
    kept = tmp_path / "s.jsonl.network.jsonl"
    good = json.dumps(_request(1.0, url=f"https://a.example.cn/?imei={IMEI}"))
    kept.write_text(
        good + "\n" + '{"type": "network", "t": 2, "url": "imei=' + IMEI + '"  <- cut\n', encoding="utf-8"
    )
    assert IMEI in kept.read_text(encoding="utf-8")
    red.redact_file(kept)
    text = kept.read_text(encoding="utf-8")
    assert IMEI not in text and text.count("[masked:") == 2 and "<- cut" in text
