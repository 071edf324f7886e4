"""The Frida agent: syntax, its pure helpers run in node, hook installation in a simulated runtime, and the
host-side conversion of recorded agent messages into trace events."""

from __future__ import annotations

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
    agent_source,
    default_catalogue_path,
    hook_specs_from_catalogue,
    normalise_stack,
)
from apprights.collect.trace import TraceWriter, event_problems
from apprights.errors import InputError

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
DEVICE_T0 = 1764300000.0  # device epoch seconds at session start (the fixture's t are epoch ms)


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    return node


def _run_node(*args: str) -> Any:
    r = subprocess.run([_node(), *args], capture_output=True, text=True, timeout=30, check=False)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_agent_syntax_node_check() -> None:
    r = subprocess.run([_node(), "--check", str(agent_path())], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert "rpc.exports" in agent_source()


def test_agent_helpers_in_node() -> None:
    strings = ["", "abc", "861234567890123", "掌上新闻 😀", "x" * 1000]
    stack = (
        "java.lang.Throwable\n"
        "\tat android.telephony.TelephonyManager.getDeviceId(Native Method)\n"
        "\tat com.umeng.commonsdk.statistics.common.DeviceConfig.getImeiNew(DeviceConfig.java:318)\n"
        "\tat com.example.news.App.onCreate(App.java:27)\n"
        "Caused by: java.lang.RuntimeException\n"
        "\tat should.not.Appear(X.java:1)\n"
    )
    inp = {
        "sha256": strings,
        "stack": stack,
        "argsMatch": [
            [[None], ["anything"]],
            [[{"index": 1, "equals": ["android_id"]}], ["resolver", "android_id"]],
            [[{"index": 1, "equals": ["android_id"]}], ["resolver", "bluetooth_name"]],
            [[{"index": 0, "contains": ["CONTACTS"]}], ["content://com.android.contacts/raw"]],
            [[{"index": 3, "equals": ["x"]}], ["a"]],
            [[{"index": 1, "equals": ["android_id"]}, None], ["r", "other"]],
        ],
        "splitApi": ["android.provider.Settings$Secure.getString", "java.net.NetworkInterface.<init>", "bad"],
        "format": [None, "a" * 40, 3, True, ["x", None, 2], {"k": "v"}],
    }
    out = _run_node(str(HERE / "helpers_check.js"), str(agent_path()), json.dumps(inp))
    assert out["sha256"] == [hashlib.sha256(s.encode()).hexdigest() for s in strings]
    assert out["stack"] == [
        "android.telephony.TelephonyManager.getDeviceId(Native Method)",
        "com.umeng.commonsdk.statistics.common.DeviceConfig.getImeiNew(DeviceConfig.java:318)",
        "com.example.news.App.onCreate(App.java:27)",
    ]
    assert out["argsMatch"] == [True, True, False, True, False, True]
    assert out["splitApi"] == [
        {"cls": "android.provider.Settings$Secure", "method": "getString"},
        {"cls": "java.net.NetworkInterface", "method": "$init"},
        None,
    ]
    assert out["format"][0] is None and out["format"][1] == "a" * 16 + "…"
    assert out["format"][2:5] == [3, True, ["x", None, 2]]


def _catalogue(tmp_path: Path) -> Path:
    rows = [
        {"api": "android.telephony.TelephonyManager.getDeviceId", "pi_type": "device_id"},
        {"api": "android.telephony.TelephonyManager.getDeviceId", "pi_type": "device_id"},
        {
            "api": "android.provider.Settings$Secure.getString",
            "pi_type": "android_id",
            "arg_filter": {"index": 1, "equals": ["android_id"]},
        },
        {"api": "java.net.NetworkInterface.getHardwareAddress", "pi_type": "mac"},
        {"api": "android.telephony.TelephonyManager.getMeid", "pi_type": "device_id"},
        {"api": "android.app.Activity.requestPermissions", "pi_type": "none", "kind": "request"},
    ]
    p = tmp_path / "sensitive_apis.json"
    p.write_text(json.dumps({"version": "t", "apis": rows}), encoding="utf-8")
    return p


def test_hook_specs_merge_rows_of_one_api(tmp_path: Path) -> None:
    specs = hook_specs_from_catalogue(_catalogue(tmp_path))
    by_api = {s.api: s for s in specs}
    assert len(specs) == 5
    assert by_api["android.telephony.TelephonyManager.getDeviceId"].filters == (None, None)
    assert by_api["android.provider.Settings$Secure.getString"].filters == (
        {"index": 1, "equals": ["android_id"]},
    )
    assert by_api["android.app.Activity.requestPermissions"].kind == "request"


def test_packaged_catalogue_is_passed_whole() -> None:
    path = default_catalogue_path()
    specs = hook_specs_from_catalogue(path)
    apis = {r["api"] for r in json.loads(path.read_text(encoding="utf-8"))["apis"]}
    config = agent_config(specs, mask=True)
    assert {a["api"] for a in config["apis"]} == apis and config["mask"] is True
    if len(apis) < 100:
        pytest.skip(f"packaged catalogue still has only {len(apis)} APIs (the knowledge helper fills it)")
    assert len(config["apis"]) >= 100


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{", "JSON"),
        ("[]", "list 'apis'"),
        ('{"apis": [{"x": 1}]}', "apis[0]"),
        ('{"apis": [{"api": "a.B.c", "arg_filter": 3}]}', "arg_filter"),
    ],
)
def test_bad_catalogue_is_input_error(tmp_path: Path, content: str, fragment: str) -> None:
    p = tmp_path / "c.json"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        hook_specs_from_catalogue(p)


def test_agent_hooks_and_reports_in_simulated_runtime(tmp_path: Path) -> None:
    specs = hook_specs_from_catalogue(_catalogue(tmp_path))
    for mask in (False, True):
        calls = {
            "absent": [],
            "returns": {
                "android.telephony.TelephonyManager.getDeviceId": "861234567890123",
                "android.provider.Settings$Secure.getString": "9774d56d682e549c",
            },
            "invoke": [
                {"api": "android.telephony.TelephonyManager.getDeviceId", "args": [], "overload": 1},
                {"api": "android.provider.Settings$Secure.getString", "args": ["resolver", "bluetooth_name"]},
                {"api": "android.provider.Settings$Secure.getString", "args": ["resolver", "android_id"]},
            ],
        }
        sent = _run_node(
            str(HERE / "frida_sim.js"),
            str(agent_path()),
            json.dumps(agent_config(specs, mask=mask)),
            json.dumps(calls),
        )
        ready = sent[0]
        assert ready["type"] == "agent_ready" and ready["apis"] == 5
        assert ready["hooked"] == 10  # two overloads each
        api_calls = [m for m in sent if m["type"] == "api_call"]
        # the bluetooth_name read does not pass the android_id filter
        assert [m["api"] for m in api_calls] == [
            "android.telephony.TelephonyManager.getDeviceId",
            "android.provider.Settings$Secure.getString",
        ]
        first = api_calls[0]
        assert first["stack"][0] == "android.telephony.TelephonyManager.getDeviceId(Native Method)"
        assert first["thread"] == "main" and isinstance(first["t"], int)
        if mask:
            assert first["ret"] is None
            assert first["ret_sha256"] == hashlib.sha256(b"861234567890123").hexdigest()
        else:
            assert first["ret"] == "861234567890123" and "ret_sha256" not in first


def test_agent_reports_missing_classes(tmp_path: Path) -> None:
    specs = hook_specs_from_catalogue(_catalogue(tmp_path))
    calls = {"absent": ["java.net.NetworkInterface"], "invoke": []}
    sent = _run_node(
        str(HERE / "frida_sim.js"), str(agent_path()), json.dumps(agent_config(specs)), json.dumps(calls)
    )
    assert sent[0]["missing"] == ["java.net.NetworkInterface.getHardwareAddress"]
    assert sent[0]["hooked"] == 8


def _recorded() -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for line in (FIXTURES / "agent_messages.jsonl").read_text(encoding="utf-8").splitlines()
    ]


def test_recorded_messages_convert_to_valid_trace_events(tmp_path: Path) -> None:
    conv = MessageConverter(device_t0=DEVICE_T0, process="com.example.news", pid=12345)
    events = [e for m in _recorded() for e in conv.convert(m)]
    for e in events:
        assert event_problems(e) == [], e
    types = [e["type"] for e in events]
    assert types.count("api_call") == 5
    imei = events[1]
    assert imei == {
        "type": "api_call",
        "t": pytest.approx(1.2),
        "api": "android.telephony.TelephonyManager.getDeviceId",
        "args": [],
        "ret": "861234567890123",
        "stack": [
            "android.telephony.TelephonyManager.getDeviceId",
            "com.umeng.commonsdk.statistics.common.DeviceConfig.getImeiNew(DeviceConfig.java:318)",
            "com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:412)",
            "com.example.news.App.onCreate(App.java:27)",
            "android.app.Instrumentation.callApplicationOnCreate(Instrumentation.java:1211)",
        ],
        "thread": "main",
        "process": "com.example.news",
        "pid": 12345,
    }
    (req,) = [e for e in events if e["type"] == "permission_request"]
    assert req["permissions"][2] == "android.permission.READ_CONTACTS" and req["t"] == pytest.approx(6.5)
    (intent,) = [e for e in events if e["type"] == "intent"]
    assert intent["op"] == "startService" and intent["target_package"] == "com.example.shop"
    assert intent["extras_keys"] == ["imei", "pkg"]
    assert intent["stack"][1] == "com.taobao.accs.client.GlobalClientInfo.a"
    notes = [e["text"] for e in events if e["type"] == "note"]
    assert any("hooked 212" in n for n in notes) and any("access violation" in n for n in notes)
    assert any("script error" in n for n in notes)
    # the whole session writes as a valid trace file
    w = TraceWriter(tmp_path / "s.jsonl", {"package": "com.example.news"})
    w.extend(events)
    from apprights.collect.trace import validate_trace_file

    assert len(validate_trace_file(w.close())) == len(events) + 1


def test_masking_on_host_when_agent_sent_raw_values() -> None:
    conv = MessageConverter(device_t0=DEVICE_T0, mask=True)
    events = conv.convert(_recorded()[1])
    assert "ret" not in events[0]
    assert events[0]["ret_sha256"] == hashlib.sha256(b"861234567890123").hexdigest()


def test_malformed_messages_become_notes_not_crashes() -> None:
    conv = MessageConverter(device_t0=DEVICE_T0)
    for msg in (
        {"type": "send", "payload": {"type": "api_call", "t": "x"}},
        {"type": "send", "payload": 3},
        {"type": "send", "payload": {"type": "api_call", "api": 5, "t": 1}},
        {"type": "log"},
    ):
        for e in conv.convert(msg):
            assert event_problems(e) == [] and e["type"] == "note"


def test_normalise_stack_prepends_api_when_absent() -> None:
    assert normalise_stack(["a.B.c(B.java:1)"], "x.Y.z") == ["x.Y.z", "a.B.c(B.java:1)"]
    assert normalise_stack(["junk", "x.Y.z(Native Method)", "a.B.c"], "x.Y.z") == ["x.Y.z", "a.B.c"]


def test_every_packaged_catalogue_api_is_hookable_by_the_agent() -> None:
    specs = hook_specs_from_catalogue(default_catalogue_path())
    sent = _run_node(
        str(HERE / "frida_sim.js"),
        str(agent_path()),
        json.dumps(agent_config(specs)),
        json.dumps({"absent": [], "invoke": []}),
    )
    ready = sent[0]
    assert ready["type"] == "agent_ready" and ready["apis"] == len(specs)
    assert ready["errors"] == [] and ready["missing"] == []
    assert ready["hooked"] == 2 * len(specs)  # the simulated runtime gives each method two overloads
