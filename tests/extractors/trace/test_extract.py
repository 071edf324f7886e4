"""What the extractor derives from a trace: timelines, attribution, states, parties, compact serialisable facts."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from apprights.extractors.trace import extract_traces, trace_inputs
from apprights.extractors.trace.attribution import frame_class
from apprights.model.facts import to_jsonable
from tests.extractors.trace.support import fixture, load, small_knowledge


def write(tmp: Path, events: list[dict[str, object]], name: str = "x.jsonl") -> Path:
    p = tmp / name
    p.write_text("\n".join(json.dumps(e) for e in events) + "\n", encoding="utf-8")
    return p


HEADER = {"type": "session", "t": 0, "format": "apprights-trace/1", "package": "com.example.app"}


def test_spec_example_timeline_and_attribution() -> None:
    facts = load("spec_example.jsonl")
    assert facts.runtime is not None
    s = facts.runtime.sessions[0]
    assert s.header.version_name == "5.2.0" and s.header.device["model"] == "Pixel 6"
    assert [(c.action, c.t) for c in s.consents] == [("shown", 3.0), ("agreed", 6.1)]
    assert [(i.state, i.start, i.end) for i in s.phase_intervals()] == [
        ("before", 0.0, 3.0),
        ("shown", 3.0, 6.1),
        ("agreed", 6.1, None),
    ]
    assert [(i.state, i.start) for i in s.state_intervals()] == [
        ("unknown", 0.0),
        ("foreground", 0.4),
        ("background", 30.0),
    ]
    imei, loc = s.api_calls
    assert (imei.actor.kind, imei.actor.id) == ("sdk", "umeng-analytics")
    assert imei.actor.frame == "com.umeng.commonsdk.statistics.common.DeviceConfig.getImeiNew"
    assert (imei.at.phase, imei.at.state, imei.at.index) == ("before", "foreground", 2)
    assert imei.value_sha256 == hashlib.sha256(b"861234567890123").hexdigest()
    assert (loc.actor.id, loc.at.phase, loc.at.state) == ("amap-location", "agreed", "background")
    assert s.taps[0].consent is True  # the 同意 tap answered the dialog
    assert s.permission_requests[0].at.tap_t is None  # so it is not a user action for the request
    assert [r.result for r in s.permission_results] == ["granted", "granted", "denied"]
    assert s.screens[0].consent_dialog is True
    (host,) = s.hosts
    assert (host.host, host.party, host.sdk_id, host.pre_consent_count) == (
        "ulogs.umeng.com",
        "sdk",
        "umeng-analytics",
        1,
    )
    (x,) = s.pi_transfers
    assert (x.pi_type, x.read_t, x.at.t, x.reader.id, x.sender.id) == (
        "device_id",
        1.2,
        1.9,
        "umeng-analytics",
        "umeng-analytics",
    )


def test_facts_are_json_serialisable_and_hold_no_raw_values() -> None:
    facts = load("spec_example.jsonl", "spec_example.jsonl")
    assert facts.runtime is not None
    text = json.dumps(to_jsonable(facts), ensure_ascii=False)
    assert "861234567890123" not in text
    assert [s.number for s in facts.runtime.sessions] == [0, 1]


def test_raw_values_not_in_facts_for_all_fixtures() -> None:
    facts = load("t3_violate.jsonl")
    text = json.dumps(to_jsonable(facts), ensure_ascii=False)
    for raw in ("864512030098765", "9b2f4e6a8c1d3e5f", "AC:DE:48:00:11:22"):
        assert raw not in text


def test_refuse_and_agree_paths_are_two_sessions() -> None:
    facts = load("t1_refuse_violate.jsonl", "t1_clean.jsonl")
    assert facts.runtime is not None
    phases = [s.consents[-1].action for s in facts.runtime.sessions]
    assert phases == ["refused", "agreed"]
    assert facts.runtime.traces == [str(fixture("t1_refuse_violate.jsonl")), str(fixture("t1_clean.jsonl"))]


def test_arg_filters_android_id_and_content_authority(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        [
            HEADER,
            {
                "type": "api_call",
                "t": 1,
                "api": "android.provider.Settings$Secure.getString",
                "args": ["cr", "android_id"],
            },
            {
                "type": "api_call",
                "t": 2,
                "api": "android.provider.Settings$Secure.getString",
                "args": ["cr", "bluetooth_name"],
            },
            {
                "type": "api_call",
                "t": 3,
                "api": "android.content.ContentResolver.query",
                "args": ["content://sms/inbox"],
            },
            {
                "type": "api_call",
                "t": 4,
                "api": "android.content.ContentResolver.query",
                "args": ["content://com.android.contacts/x"],
            },
            {
                "type": "api_call",
                "t": 5,
                "api": "android.content.ContentResolver.query",
                "args": ["content://media/external"],
            },
            {"type": "api_call", "t": 6, "api": "com.unknown.Api.call"},
        ],
    )
    s = extract_traces([p], small_knowledge()).sessions[0]
    # media is not in the test catalogue's filters: the built-in authority map still recognises it
    assert [(c.at.t, c.pi_type) for c in s.api_calls] == [
        (1, "android_id"),
        (3, "sms"),
        (4, "contacts"),
        (5, "photos"),
    ]


def test_builtin_authority_map_when_catalogue_has_no_filter(tmp_path: Path, knowledge) -> None:  # type: ignore[no-untyped-def]
    p = write(
        tmp_path,
        [
            HEADER,
            {
                "type": "api_call",
                "t": 1,
                "api": "android.provider.Settings$Secure.getString",
                "args": ["cr", "android_id"],
            },
            {
                "type": "api_call",
                "t": 2,
                "api": "android.content.ContentResolver.query",
                "args": ["content://call_log/calls"],
            },
        ],
    )
    s = extract_traces([p], knowledge).sessions[0]
    assert [c.pi_type for c in s.api_calls] == ["android_id", "call_log"]


def test_states_screen_off_killed_and_process_exit(tmp_path: Path) -> None:
    api = "android.telephony.TelephonyManager.getDeviceId"
    p = write(
        tmp_path,
        [
            HEADER,
            {"type": "app_state", "t": 1, "state": "foreground"},
            {"type": "app_state", "t": 2, "state": "screen_off"},
            {"type": "api_call", "t": 3, "api": api},
            {"type": "app_state", "t": 4, "state": "screen_on"},
            {"type": "api_call", "t": 5, "api": api},
            {"type": "app_state", "t": 6, "state": "killed"},
            {"type": "api_call", "t": 7, "api": api, "process": "com.example.app:push"},
            {"type": "app_state", "t": 8, "state": "foreground"},
            {"type": "process_exit", "t": 9, "reason": "crash", "process": "com.example.app"},
            {"type": "api_call", "t": 10, "api": api},
        ],
    )
    s = extract_traces([p], small_knowledge()).sessions[0]
    assert [c.at.state for c in s.api_calls] == ["screen_off", "foreground", "killed", "not_running"]
    assert all(c.at.phase == "unknown" for c in s.api_calls)
    assert s.api_calls[2].process == "com.example.app:push"


def test_stack_frames_with_file_suffix_and_framework_frames(tmp_path: Path) -> None:
    assert frame_class("com.umeng.X.init(X.java:12)") == "com.umeng.X"
    p = write(
        tmp_path,
        [
            HEADER,
            {
                "type": "api_call",
                "t": 1,
                "api": "android.telephony.TelephonyManager.getImei",
                "stack": [
                    "android.telephony.TelephonyManager.getImei(TelephonyManager.java:1)",
                    "java.lang.reflect.Method.invoke(Native Method)",
                    "androidx.core.Foo.bar(Foo.java:3)",
                    "com.tencent.bugly.crashreport.a.b(SourceFile:12)",
                    "com.example.app.App.onCreate(App.java:5)",
                ],
            },
            {
                "type": "api_call",
                "t": 2,
                "api": "android.telephony.TelephonyManager.getImei",
                "stack": ["java.lang.Thread.run"],
            },
        ],
    )
    s = extract_traces([p], small_knowledge()).sessions[0]
    assert [c.actor.id for c in s.api_calls] == ["tencent-bugly", "com.example.app"]


def test_network_parties_and_first_party_option(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        [
            HEADER,
            {
                "type": "network",
                "t": 1,
                "host": "api.example.com",
                "method": "GET",
                "url": "http://api.example.com/a",
            },
            {"type": "network", "t": 2, "host": "log.umeng.com", "method": "POST"},
            {"type": "network", "t": 3, "host": "cdn.ourcdn.net", "method": "GET", "tls": True},
            {"type": "network", "t": 4, "host": "x.unknown.org", "method": "GET"},
        ],
    )
    hosts = {
        h.host: h
        for h in extract_traces([p], small_knowledge(), first_party_hosts=("ourcdn.net",)).sessions[0].hosts
    }
    assert {h: v.party for h, v in hosts.items()} == {
        "api.example.com": "first",
        "log.umeng.com": "sdk",
        "cdn.ourcdn.net": "first",
        "x.unknown.org": "third",
    }
    assert hosts["api.example.com"].plaintext_count == 1 and hosts["cdn.ourcdn.net"].plaintext_count == 0


def test_series_keep_every_read_count_but_cap_kept_calls(tmp_path: Path) -> None:
    api = "android.telephony.TelephonyManager.getDeviceId"
    evs: list[dict[str, object]] = [HEADER]
    evs += [{"type": "api_call", "t": i * 0.5, "api": api, "ret": "864512030098765"} for i in range(1, 200)]
    p = write(tmp_path, evs)
    s = extract_traces([p], small_knowledge()).sessions[0]
    (series,) = s.api_series
    assert series.count == 199 and series.unprompted_count == 199 and len(series.unprompted_t) == 199
    assert len(s.api_calls) == 5  # calls_per_key


def test_other_event_kinds_are_kept(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        [
            HEADER,
            {
                "type": "proc_start",
                "t": 1,
                "package": "com.other",
                "process": "com.other",
                "hosting_type": "service",
                "caller_package": "com.example.app",
            },
            {
                "type": "intent",
                "t": 2,
                "op": "startService",
                "target_package": "com.other",
                "extras_keys": ["imei"],
            },
            {"type": "intent", "t": 2, "op": "startActivity", "target_package": "com.example.app"},
            {"type": "download", "t": 3, "url": "https://d.example.cn/a.apk?x=1", "user_initiated": True},
            {"type": "sensor_injection", "t": 4, "sensor": "accelerometer", "accel_ms2": 9.5},
            {"type": "process_exit", "t": 5, "reason": "exit"},
        ],
    )
    s = extract_traces([p], small_knowledge()).sessions[0]
    assert s.proc_starts[0].own is False and s.proc_starts[0].caller_package == "com.example.app"
    assert [i.foreign for i in s.intents] == [True, False]
    assert s.downloads[0].url == "https://d.example.cn/a.apk" and s.downloads[0].user_initiated is True
    assert s.sensor_injections[0].accel_ms2 == 9.5 and s.sensor_injections[0].rotation_deg is None
    assert s.exits[0].reason == "exit"


def test_trace_inputs(tmp_path: Path) -> None:
    p = fixture("spec_example.jsonl")
    (ref,) = trace_inputs([p])
    data = p.read_bytes()
    assert ref.kind == "trace" and ref.size == len(data) and ref.sha256 == hashlib.sha256(data).hexdigest()


def test_pathological_stack_frame_is_linear(tmp_path: Path) -> None:
    import time

    frame = "com.x.Y.z" + "(" * 200_000
    p = write(
        tmp_path,
        [
            HEADER,
            {
                "type": "api_call",
                "t": 1,
                "api": "android.telephony.TelephonyManager.getImei",
                "stack": [frame],
            },
        ],
    )
    t0 = time.process_time()
    s = extract_traces([p], small_knowledge()).sessions[0]
    assert time.process_time() - t0 < 5
    assert s.api_calls[0].actor.id == "com.example.app"


def test_facts_pickle_round_trip() -> None:
    import pickle

    facts = load("t3_violate.jsonl", "t3_clean.jsonl")
    again = pickle.loads(pickle.dumps(facts.runtime))
    assert again == facts.runtime


def test_garbage_collector_state_is_restored(tmp_path: Path) -> None:
    """Extraction pauses the cyclic collector for speed and restores it, also when the trace is bad."""
    import gc

    from apprights.errors import InputError

    good = tmp_path / "g.jsonl"
    good.write_text(
        '{"type":"session","t":0,"format":"apprights-trace/1","package":"com.example.app"}\n',
        encoding="utf-8",
    )
    bad = tmp_path / "b.jsonl"
    bad.write_text("{not json\n", encoding="utf-8")
    assert gc.isenabled()
    extract_traces([good], small_knowledge())
    assert gc.isenabled()
    with pytest.raises(InputError):
        extract_traces([bad], small_knowledge())
    assert gc.isenabled()
    gc.disable()
    try:
        extract_traces([good], small_knowledge())
        assert not gc.isenabled()
    finally:
        gc.enable()
