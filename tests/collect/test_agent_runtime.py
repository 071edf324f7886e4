"""The agent's behaviour on a device that does what real apps do, run in node with the simulated Frida Java
runtime (``frida_sim.js``): calls that throw, nested overloads, other threads calling while a report is built,
the permission-result hook, and the value shapes that the traffic matcher must read (the agent's real output
is fed through the converter, the trace writer and the trace extractor)."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from apprights.collect.agent import (
    MessageConverter,
    agent_config,
    agent_path,
    default_catalogue_path,
    hook_specs_from_catalogue,
)
from apprights.collect.trace import TraceWriter, validate_trace_file
from apprights.extractors.trace import extract_trace_session

HERE = Path(__file__).parent
DEVICE_T0 = 1764300000.0
PKG = "com.example.news"
SPECS = hook_specs_from_catalogue(default_catalogue_path())


def _sim(calls: dict[str, Any], *, mask: bool = False) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    r = subprocess.run(
        [
            node,
            str(HERE / "frida_sim.js"),
            str(agent_path()),
            json.dumps(agent_config(SPECS, mask=mask)),
            json.dumps(calls),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    sent: list[dict[str, Any]] = json.loads(r.stdout)
    return sent


def _api_calls(sent: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in sent if m["type"] == "api_call"]


def test_a_call_that_throws_is_reported_with_its_outcome_and_rethrown() -> None:
    error = "java.lang.SecurityException: getDeviceId: The user 10234 does not meet the requirements"
    sent = _sim(
        {
            "throws": {"android.telephony.TelephonyManager.getImei": error},
            "invoke": [{"api": "android.telephony.TelephonyManager.getImei", "args": []}],
            "outcomes": True,
        }
    )
    (call,) = _api_calls(sent)
    assert call["api"] == "android.telephony.TelephonyManager.getImei"
    assert call["error"] == "Error: " + error and call["ret"] is None
    assert call["stack"][0].startswith("android.telephony.TelephonyManager.getImei")
    (outcomes,) = [m for m in sent if m["type"] == "sim_outcomes"]
    assert outcomes["outcomes"] == ["threw: " + error]  # the app still gets its exception
    # on the host: an api_call event with the outcome, which the extractor counts as a read attempt
    (event,) = [e for e in MessageConverter(DEVICE_T0).convert(call) if e["type"] == "api_call"]
    assert event["error"].endswith("does not meet the requirements") and "ret" not in event


def test_nested_overloads_report_one_call() -> None:
    sent = _sim(
        {
            "returns": {"android.telephony.TelephonyManager.getDeviceId": "861234567890123"},
            # getDeviceId() calls getDeviceId(int slot): both overloads are hooked
            "nested": {"android.telephony.TelephonyManager.getDeviceId": 1},
            "invoke": [{"api": "android.telephony.TelephonyManager.getDeviceId", "args": []}],
        }
    )
    assert len(_api_calls(sent)) == 1


def test_another_threads_call_during_a_report_is_not_lost() -> None:
    # While thread 1 builds the report of its IMEI read, thread 7 reads the Android ID: a process-wide
    # "reporting" flag would drop thread 7's read as if it were the agent's own call.
    sent = _sim(
        {
            "returns": {
                "android.telephony.TelephonyManager.getDeviceId": "861234567890123",
                "android.provider.Settings$Secure.getString": "9774d56d682e549c",
            },
            "invoke": [
                {
                    "api": "android.telephony.TelephonyManager.getDeviceId",
                    "args": [],
                    "tid": 1,
                    "during_report": {
                        "api": "android.provider.Settings$Secure.getString",
                        "args": ["resolver", "android_id"],
                        "tid": 7,
                    },
                }
            ],
        }
    )
    assert sorted(m["api"] for m in _api_calls(sent)) == [
        "android.provider.Settings$Secure.getString",
        "android.telephony.TelephonyManager.getDeviceId",
    ]


def _intent(names: list[str], codes: list[int]) -> dict[str, Any]:
    return {
        "$java": "android.content.Intent",
        "methods": {"getStringArrayExtra": names, "getIntArrayExtra": codes},
    }


def test_permission_results_come_from_the_apps_own_result_hook() -> None:
    perms = [
        "android.permission.READ_PHONE_STATE",
        "android.permission.ACCESS_FINE_LOCATION",
        "android.permission.CAMERA",
    ]
    activity = {
        "$java": "com.example.news.MainActivity",
        "methods": {
            "shouldShowRequestPermissionRationale": {
                "$byArg": {perms[0]: True, perms[2]: False}  # CAMERA: "don't ask again" was ticked
            }
        },
    }
    sent = _sim(
        {
            "invoke": [
                {
                    "api": "android.app.Activity.dispatchRequestPermissionsResult",
                    "self": activity,
                    "args": [100, _intent(perms, [-1, 0, -1])],
                }
            ]
        }
    )
    assert sent[0]["permission_hooks"] >= 2
    (msg,) = [m for m in sent if m["type"] == "permission_result"]
    assert msg["results"] == [
        {"permission": perms[0], "result": "denied"},
        {"permission": perms[1], "result": "granted"},
        {"permission": perms[2], "result": "denied_forever"},
    ]
    events = MessageConverter(DEVICE_T0, process=PKG).convert({"type": "send", "payload": msg})
    assert [(e["type"], e["permission"], e["result"]) for e in events] == [
        ("permission_result", perms[0], "denied"),
        ("permission_result", perms[1], "granted"),
        ("permission_result", perms[2], "denied_forever"),
    ]


LAT, LNG = 39.9042183, 116.4074025
MAC_BYTES = [-84, 34, 11, 80, 18, -1]  # ac:22:0b:50:12:ff as Java's signed bytes
MAC = "ac:22:0b:50:12:ff"
OTHER_APPS = ["com.tencent.mm", "com.eg.android.AlipayGphone", "com.sina.weibo"]

SHAPE_CALLS: dict[str, Any] = {
    "returns": {
        "android.location.LocationManager.getLastKnownLocation": {
            "$java": "android.location.Location",
            "methods": {"getLatitude": LAT, "getLongitude": LNG},
            "toString": f"Location[gps {LAT:.6f},{LNG:.6f} hAcc=12.0 et=+3d1h vAcc=??? sAcc=??? bAcc=???]",
        },
        "android.app.ApplicationPackageManager.getInstalledPackages": {
            "$java": "java.util.ArrayList",
            "items": [
                {
                    "$java": "android.content.pm.PackageInfo",
                    "fields": {"packageName": p},
                    "toString": f"PackageInfo{{4c1d2e0 {p}}}",
                }
                for p in [PKG, *OTHER_APPS]
            ],
        },
        "java.net.NetworkInterface.getHardwareAddress": MAC_BYTES,
    },
    "invoke": [
        {"api": "android.location.LocationManager.getLastKnownLocation", "args": ["gps"]},
        {"api": "android.app.ApplicationPackageManager.getInstalledPackages", "args": [0]},
        {"api": "java.net.NetworkInterface.getHardwareAddress", "args": []},
    ],
}


def test_agent_sends_one_value_shape_per_pi_type() -> None:
    calls = {m["api"].rsplit(".", 1)[1]: m["ret"] for m in _api_calls(_sim(SHAPE_CALLS))}
    assert calls == {
        "getLastKnownLocation": {"lat": LAT, "lng": LNG},
        "getInstalledPackages": [PKG, *OTHER_APPS],
        "getHardwareAddress": MAC,
    }


def _trace_from_agent(tmp_path: Path, sent: list[dict[str, Any]], body: dict[str, Any], name: str) -> Path:
    conv = MessageConverter(DEVICE_T0, process=PKG, pid=4242)
    w = TraceWriter(tmp_path / name, {"package": PKG})
    w.add({"type": "consent", "t": 0.0, "action": "shown"})
    for m in sent:
        w.extend(conv.convert({"type": "send", "payload": m}))
    last = max(float(e["t"]) for e in w.events()[1:])
    w.add(
        {
            "type": "network",
            "t": last + 1.0,
            "host": "log.tracker.example.cn",
            "method": "POST",
            "url": "https://log.tracker.example.cn/v1/report",
            "request_body_b64": base64.b64encode(json.dumps(body).encode()).decode(),
        }
    )
    return w.close()


@pytest.mark.parametrize("mask", [False, True])
def test_agent_output_matches_traffic(tmp_path: Path, knowledge: Any, mask: bool) -> None:
    """What the agent really sends for location, installed apps and MAC is found in a request carrying them
    the way SDKs send them (coordinates as numbers, package names in a list, MAC upper-case without
    separators); masked, the scalar MAC still matches through the hashed tokens of the request."""
    sent = _sim(SHAPE_CALLS, mask=mask)
    body = {"lat": round(LAT, 6), "lon": round(LNG, 6), "apps": OTHER_APPS, "m": MAC.replace(":", "").upper()}
    trace = _trace_from_agent(tmp_path, sent, body, f"shapes-{mask}.jsonl")
    validate_trace_file(trace)
    session = extract_trace_session(trace, knowledge)
    found = {x.pi_type for x in session.pi_transfers}
    if mask:
        assert "mac" in found  # structured values are matched raw only: masking keeps them out of the trace
    else:
        assert found == {"location", "installed_apps", "mac"}
    for x in session.pi_transfers:
        assert x.host == "log.tracker.example.cn" and x.at.phase == "shown"
    assert hashlib.sha256(MAC.encode()).hexdigest() in {x.value_sha256 for x in session.pi_transfers}


def test_host_side_masking_keeps_encoded_matches(tmp_path: Path, knowledge: Any) -> None:
    """With --mask the host hashes what the agent sent (raw values stay in memory): the trace holds no raw
    IMEI, yet the IMEI sent base64-encoded or as an MD5 is still found."""
    sent = _sim(
        {
            "returns": {"android.telephony.TelephonyManager.getImei": "861234567890123"},
            "invoke": [{"api": "android.telephony.TelephonyManager.getImei", "args": []}],
        }
    )
    conv = MessageConverter(DEVICE_T0, process=PKG, mask=True)
    w = TraceWriter(tmp_path / "m.jsonl", {"package": PKG})
    w.add({"type": "consent", "t": 0.0, "action": "shown"})
    for m in sent:
        w.extend(conv.convert({"type": "send", "payload": m}))
    body = {
        "a": base64.b64encode(b"861234567890123").decode(),
        "b": hashlib.md5(b"861234567890123").hexdigest(),
    }
    last = max(float(e["t"]) for e in w.events()[1:])  # the simulated agent stamps with the host's clock
    for i, value in enumerate(body.values()):
        w.add(
            {
                "type": "network",
                "t": last + 1.0 + i,
                "host": "h.example.cn",
                "method": "POST",
                "request_body_b64": base64.b64encode(json.dumps({"x": value}).encode()).decode(),
            }
        )
    trace = w.close()
    assert "861234567890123" not in trace.read_text(encoding="utf-8")
    session = extract_trace_session(trace, knowledge)
    assert [x.encoding for x in session.pi_transfers] == ["sha256-of-token", "sha256-of-token"]


def _sim_with(calls: dict[str, Any], **config: Any) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    r = subprocess.run(
        [
            node,
            str(HERE / "frida_sim.js"),
            str(agent_path()),
            json.dumps(agent_config(SPECS, **config)),
            json.dumps(calls),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    out: list[dict[str, Any]] = json.loads(r.stdout)
    return out


def _bytes(text: str) -> list[int]:
    return [b - 256 if b > 127 else b for b in text.encode()]  # Java's signed bytes


IMEI_JSON = json.dumps({"imei": "861234567890123", "os": "android"})
HTTP1 = (
    f"POST /unify_logs HTTP/1.1\r\nHost: ulogs.umeng.com\r\nContent-Type: application/json\r\n\r\n{IMEI_JSON}"
)

PLAINTEXT_CALLS: dict[str, Any] = {
    "returns": {
        "okhttp3.Request$Builder.build": {
            "$java": "okhttp3.Request",
            "methods": {
                "url": {"$java": "okhttp3.HttpUrl", "toString": "https://api.pinned-sdk.cn/v2/collect?k=1"},
                "method": "POST",
                "headers": {
                    "$java": "okhttp3.Headers",
                    "toString": "Content-Type: application/json\nX-Sdk: 3.1\n",
                },
                "body": {
                    "$java": "okhttp3.RequestBody",
                    "methods": {"writeTo": {"$writeTo": _bytes(IMEI_JSON)}},
                },
            },
        },
    },
    "invoke": [
        {"api": "android.telephony.TelephonyManager.getImei", "args": []},
        {"api": "okhttp3.Request$Builder.build", "args": []},
        {
            "api": "com.android.org.conscrypt.ConscryptEngineSocket$SSLOutputStream.write",
            "self": {
                "$java": "SSLOutputStream",
                "fields": {
                    "this$0": {
                        "$java": "Socket",
                        "methods": {"getHostname": "ulogs.umeng.com", "getPort": 443},
                    }
                },
            },
            "args": [_bytes("xx" + HTTP1 + "yy"), 2, len(HTTP1.encode())],
        },
        {
            "api": "javax.crypto.Cipher.doFinal",
            "self": {"$java": "javax.crypto.Cipher", "methods": {"getAlgorithm": "AES/CBC/PKCS5Padding"}},
            "args": [_bytes(IMEI_JSON)],
        },
    ],
}


def test_plaintext_before_tls_and_encryption_is_matched_like_traffic(tmp_path: Path, knowledge: Any) -> None:
    """A pinned SDK's request never reaches the proxy: the agent's okhttp and Conscrypt hooks still show the
    IMEI leaving (network events with the caller's stack), and what an SDK encrypts is kept as a crypto event."""
    calls = dict(PLAINTEXT_CALLS)
    calls["returns"] = {
        **PLAINTEXT_CALLS["returns"],
        "android.telephony.TelephonyManager.getImei": "861234567890123",
    }
    sent = _sim_with(calls, plaintext=True)
    assert sent[0]["plaintext_hooks"] >= 4 and sent[0]["errors"] == []
    plain = [m for m in sent if m["type"] == "plaintext"]
    assert [m["source"] for m in plain] == ["okhttp", "ssl", "cipher"]
    assert base64.b64decode(plain[1]["data_b64"]).decode() == HTTP1  # exactly the bytes written
    conv = MessageConverter(DEVICE_T0, process=PKG)
    w = TraceWriter(tmp_path / "p.jsonl", {"package": PKG})
    w.add({"type": "consent", "t": 0.0, "action": "shown"})
    for m in sent:
        w.extend(conv.convert({"type": "send", "payload": m}))
    trace = w.close()
    events = validate_trace_file(trace)
    nets = [e for e in events if e["type"] == "network"]
    assert [(e["source"], e["host"], e["method"]) for e in nets] == [
        ("okhttp", "api.pinned-sdk.cn", "POST"),
        ("ssl", "ulogs.umeng.com", "POST"),
    ]
    assert nets[0]["request_headers"] == {"Content-Type": "application/json", "X-Sdk": "3.1"}
    assert nets[1]["url"] == "https://ulogs.umeng.com/unify_logs" and nets[1]["stack"]
    (crypto,) = [e for e in events if e["type"] == "crypto"]
    assert crypto["algorithm"] == "AES/CBC/PKCS5Padding"
    session = extract_trace_session(trace, knowledge)
    assert {(x.host, x.pi_type) for x in session.pi_transfers} == {
        ("api.pinned-sdk.cn", "device_id"),
        ("ulogs.umeng.com", "device_id"),
    }
    # off by default in agent_config: nothing hooked, nothing reported
    off = _sim_with({"invoke": []})
    assert off[0]["plaintext_hooks"] == 0


def test_optional_pinning_bypass() -> None:
    calls = {
        "throws": {
            "com.android.org.conscrypt.TrustManagerImpl.verifyChain": "java.security.cert.CertificateException: pinned",
            "okhttp3.CertificatePinner.check": "javax.net.ssl.SSLPeerUnverifiedException: Certificate pinning failure!",
        },
        "invoke": [
            {
                "api": "com.android.org.conscrypt.TrustManagerImpl.verifyChain",
                "args": [["proxy-cert"], [], "h", True],
            },
            {"api": "okhttp3.CertificatePinner.check", "args": ["api.pinned-sdk.cn", []]},
        ],
        "outcomes": True,
    }
    sent = _sim_with(calls, unpin=True)
    assert sent[0]["unpin_hooks"] == 4
    (outcomes,) = [m for m in sent if m["type"] == "sim_outcomes"]
    assert outcomes["outcomes"] == ["returned", "returned"]


def test_a_reask_inside_the_result_handler_comes_after_the_answer() -> None:
    """Apps often ask again from inside onRequestPermissionsResult: the denial must be reported before the
    re-ask, or the 48-hour rule sees a request followed by a denial and nothing to judge."""
    phone = "android.permission.READ_PHONE_STATE"
    sent = _sim(
        {
            "during": {
                "android.app.Activity.dispatchRequestPermissionsResult": {
                    "api": "android.app.Activity.requestPermissions",
                    "args": [[phone], 101],
                }
            },
            "invoke": [
                {
                    "api": "android.app.Activity.dispatchRequestPermissionsResult",
                    "self": {
                        "$java": "com.example.news.MainActivity",
                        "methods": {"shouldShowRequestPermissionRationale": True},
                    },
                    "args": [100, _intent([phone], [-1])],
                }
            ],
        }
    )
    order = [m["type"] for m in sent if m["type"] in ("permission_result", "api_call")]
    assert order == ["permission_result", "api_call"]
    assert (
        next(m for m in sent if m["type"] == "api_call")["api"] == "android.app.Activity.requestPermissions"
    )


def test_cipher_plaintext_is_matched_and_linked_to_the_request_carrying_the_ciphertext(
    tmp_path: Path, knowledge: Any
) -> None:
    """The agent's Cipher hook reports the plaintext, the mode and the start of the real output; the host finds
    the IMEI in the plaintext, attributes it to the SDK on the stack, and ties it to the request that later
    carries the ciphertext (base64 inside JSON, seen by the proxy)."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    from apprights.model.facts import AppFacts
    from apprights.model.runtime import RuntimeFacts
    from apprights.rules.base import RuleContext
    from apprights.rules.t1_collect.rt_collect_before_consent import CollectBeforeConsent
    from apprights.rules.t3_misuse.rt_pi_to_third_party import PiToThirdParty

    padder = padding.PKCS7(128).padder()
    data = padder.update(IMEI_JSON.encode()) + padder.finalize()
    enc = Cipher(algorithms.AES(b"0123456789abcdef"), modes.CBC(b"\x02" * 16)).encryptor()
    ciphertext = enc.update(data) + enc.finalize()
    signed = [b - 256 if b > 127 else b for b in ciphertext]
    sdk_stack = [
        "com.umeng.commonsdk.statistics.a.a(Unknown Source:12)",
        "com.umeng.commonsdk.UMConfigure.init",
    ]
    calls = {
        "returns": {
            "android.telephony.TelephonyManager.getImei": "861234567890123",
            "javax.crypto.Cipher.doFinal": signed,
        },
        "invoke": [
            {"api": "android.telephony.TelephonyManager.getImei", "args": [], "stack": sdk_stack},
            {
                "api": "javax.crypto.Cipher.doFinal",
                "self": {
                    "$java": "javax.crypto.Cipher",
                    "fields": {"opmode": 1},
                    "methods": {"getAlgorithm": "AES/CBC/PKCS5Padding"},
                },
                "args": [_bytes(IMEI_JSON)],
                "stack": sdk_stack,
            },
            {
                # decrypting a server answer: its input is ciphertext, not data about to leave
                "api": "javax.crypto.Cipher.doFinal",
                "self": {
                    "$java": "javax.crypto.Cipher",
                    "fields": {"opmode": 2},
                    "methods": {"getAlgorithm": "AES"},
                },
                "args": [_bytes(IMEI_JSON)],
                "stack": sdk_stack,
            },
        ],
    }
    sent = _sim_with(calls, plaintext=True)
    assert sent[0]["errors"] == []
    cipher = [m for m in sent if m["type"] == "plaintext" and m["source"] == "cipher"]
    assert [m["mode"] for m in cipher] == ["encrypt", "decrypt"]
    assert base64.b64decode(cipher[0]["out_b64"]) == ciphertext[:96] and cipher[0]["out_size"] == len(
        ciphertext
    )
    conv = MessageConverter(DEVICE_T0, process=PKG)
    w = TraceWriter(tmp_path / "c.jsonl", {"package": PKG})
    w.add({"type": "consent", "t": 0.0, "action": "shown"})
    for m in sent:
        w.extend(conv.convert({"type": "send", "payload": m}))
    last_t = max(float(m["t"]) for m in sent if "t" in m) / 1000.0 - DEVICE_T0
    body = json.dumps({"ver": 1, "d": base64.b64encode(ciphertext).decode()}).encode()
    w.add(
        {
            "type": "network",
            "t": last_t + 0.5,
            "host": "ulogs.umeng.com",
            "method": "POST",
            "url": "https://ulogs.umeng.com/unify_logs",
            "request_body_b64": base64.b64encode(body).decode(),
        }
    )
    trace = w.close()
    events = validate_trace_file(trace)
    crypto = [e for e in events if e["type"] == "crypto"]
    assert [(e["mode"], e["method"]) for e in crypto] == [("encrypt", "doFinal"), ("decrypt", "doFinal")]
    session = extract_trace_session(trace, knowledge)
    (packaged,) = session.pi_encrypted
    assert packaged.packer.id.startswith("umeng") and packaged.hosts == ["ulogs.umeng.com"]
    (x,) = session.pi_transfers
    assert x.pi_type == "device_id" and x.encrypted_by is not None and x.where == "body (ciphertext, base64)"
    facts = AppFacts(runtime=RuntimeFacts(package=PKG, traces=[str(trace)], sessions=[session]))
    ctx = RuleContext(knowledge, {})
    (t3,) = list(PiToThirdParty().check(facts, ctx))
    assert (
        "PI found in data encrypted by" in t3.detail_en and t3.evidence[0].data["host"] == "ulogs.umeng.com"
    )
    (t1,) = list(CollectBeforeConsent().check(facts, ctx))
    assert {e.data["kind"] for e in t1.evidence} == {"api_call", "crypto", "network"}


def test_nested_cipher_overloads_report_the_plaintext_once() -> None:
    """doFinal(input) implemented through doFinal(input, off, len): one call, one crypto report."""
    calls = {
        "returns": {"javax.crypto.Cipher.doFinal": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]},
        "nested": {"javax.crypto.Cipher.doFinal": 1},
        "invoke": [
            {
                "api": "javax.crypto.Cipher.doFinal",
                "self": {
                    "$java": "javax.crypto.Cipher",
                    "fields": {"opmode": 1},
                    "methods": {"getAlgorithm": "AES"},
                },
                "args": [_bytes(IMEI_JSON)],
            }
        ],
    }
    sent = _sim_with(calls, plaintext=True)
    cipher = [m for m in sent if m["type"] == "plaintext" and m["source"] == "cipher"]
    assert len(cipher) == 1 and base64.b64decode(cipher[0]["data_b64"]).decode() == IMEI_JSON


def _cipher_self(hash_code: int) -> dict[str, Any]:
    return {
        "$java": "javax.crypto.Cipher",
        "fields": {"opmode": 1},
        "methods": {"getAlgorithm": "AES/CBC/PKCS5Padding", "hashCode": hash_code},
    }


def test_cipher_update_input_is_joined_per_instance_until_do_final(tmp_path: Path, knowledge: Any) -> None:
    """An IMEI split across two update() calls of one cipher, interleaved with another cipher's update: one
    report per doFinal, with the joined plaintext, the joined start of the output and the total sizes; the
    host finds the IMEI in it, which neither half holds on its own."""
    head, tail = IMEI_JSON[:14], IMEI_JSON[14:]  # '{"imei": "8612' | '34567890123", …'
    assert "861234567890123" not in head and "861234567890123" not in tail
    calls = {
        "returns": {
            "android.telephony.TelephonyManager.getImei": "861234567890123",
            "javax.crypto.Cipher.update": [1, 2, 3, 4],
            "javax.crypto.Cipher.doFinal": [5, 6],
        },
        "invoke": [
            {"api": "android.telephony.TelephonyManager.getImei", "args": []},
            {"api": "javax.crypto.Cipher.update", "self": _cipher_self(11), "args": [_bytes(head)]},
            {"api": "javax.crypto.Cipher.update", "self": _cipher_self(22), "args": [_bytes("other")]},
            {"api": "javax.crypto.Cipher.update", "self": _cipher_self(11), "args": [_bytes(tail)]},
            {"api": "javax.crypto.Cipher.doFinal", "self": _cipher_self(11), "args": []},
            {"api": "javax.crypto.Cipher.doFinal", "self": _cipher_self(22), "args": [_bytes(" end")]},
        ],
    }
    sent = _sim_with(calls, plaintext=True)
    assert sent[0]["errors"] == []
    cipher = [m for m in sent if m["type"] == "plaintext" and m["source"] == "cipher"]
    assert [(m["op"], base64.b64decode(m["data_b64"]).decode(), m["size"]) for m in cipher] == [
        ("doFinal", IMEI_JSON, len(IMEI_JSON)),
        ("doFinal", "other end", 9),
    ]
    assert base64.b64decode(cipher[0]["out_b64"]) == bytes([1, 2, 3, 4, 1, 2, 3, 4, 5, 6])
    assert cipher[0]["out_size"] == 10 and cipher[1]["out_size"] == 6

    conv = MessageConverter(DEVICE_T0, process=PKG)
    w = TraceWriter(tmp_path / "j.jsonl", {"package": PKG})
    for m in sent:
        w.extend(conv.convert({"type": "send", "payload": m}))
    trace = w.close()
    crypto = [e for e in validate_trace_file(trace) if e["type"] == "crypto"]
    assert [e["method"] for e in crypto] == ["doFinal", "doFinal"]
    session = extract_trace_session(trace, knowledge)
    assert [p.pi_type for p in session.pi_encrypted] == ["device_id"]


def test_cipher_update_without_do_final_is_bounded_and_still_reported() -> None:
    """More pending ciphers than the agent keeps: the oldest is reported as a partial `update`, nothing is
    lost, and a pending cipher's kept input never exceeds maxBody."""
    invokes = [
        {"api": "javax.crypto.Cipher.update", "self": _cipher_self(n), "args": [_bytes(f"part{n:03d}-" * 4)]}
        for n in range(66)
    ]
    invokes.append(
        {"api": "javax.crypto.Cipher.update", "self": _cipher_self(65), "args": [_bytes("x" * 50)]}
    )
    invokes.append({"api": "javax.crypto.Cipher.doFinal", "self": _cipher_self(65), "args": []})
    sent = _sim_with({"invoke": invokes}, plaintext=True, max_body=40)
    cipher = [m for m in sent if m["type"] == "plaintext" and m["source"] == "cipher"]
    assert [(m["op"], base64.b64decode(m["data_b64"]).decode()) for m in cipher[:2]] == [
        ("update", "part000-" * 4),
        ("update", "part001-" * 4),
    ]
    last = cipher[-1]
    assert last["op"] == "doFinal" and last["size"] == 32 + 50
    assert base64.b64decode(last["data_b64"]).decode() == "part065-" * 4 + "x" * 8
    assert len(cipher) == 3
