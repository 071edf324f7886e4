"""Fuzz: any line content gives facts or InputError, never another exception."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apprights.errors import InputError
from apprights.extractors.trace import extract_traces
from apprights.extractors.trace.schema import SCHEMA
from tests.extractors.trace.support import small_knowledge

KNOWLEDGE = small_knowledge()
HEADER = json.dumps({"type": "session", "t": 0, "format": "apprights-trace/1", "package": "com.example.app"})

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False), st.text(max_size=20)
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(
    sorted({n for req, opt in SCHEMA.values() for n in (*req, *opt)} | {"t", "type", "process", "pid", "ret"})
)
events = st.fixed_dictionaries(
    {
        "type": st.sampled_from([*SCHEMA, "other"]),
        "t": st.one_of(st.floats(0, 100), st.integers(0, 100), values),
    },
    optional={"x": values},
).flatmap(lambda base: st.dictionaries(field_names, values, max_size=6).map(lambda extra: {**extra, **base}))
lines = st.one_of(events.map(lambda e: json.dumps(e)), st.text(max_size=60))


def _run(body: list[str]) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "f.jsonl"
        p.write_text("\n".join([HEADER, *body]) + "\n", encoding="utf-8")
        try:
            extract_traces([p], KNOWLEDGE)
        except InputError as e:
            assert e.problem


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lines, max_size=8))
def test_fuzz_lines_only_input_error(body: list[str]) -> None:
    _run(body)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(events, max_size=8))
def test_fuzz_wellformed_json_only_input_error(evs: list[dict[str, object]]) -> None:
    evs = sorted(
        evs, key=lambda e: e["t"] if isinstance(e["t"], (int, float)) and not isinstance(e["t"], bool) else 0
    )
    _run([json.dumps(e) for e in evs])


APIS = [
    "android.telephony.TelephonyManager.getDeviceId",
    "android.provider.Settings$Secure.getString",
    "android.content.ContentResolver.query",
    "android.app.ApplicationPackageManager.getInstalledPackages",
    "android.location.LocationManager.getLastKnownLocation",
    "android.net.wifi.WifiInfo.getMacAddress",
]
api_calls = st.fixed_dictionaries(
    {"type": st.just("api_call"), "t": st.just(1), "api": st.sampled_from(APIS)},
    optional={
        "ret": values,
        "args": st.lists(values, max_size=3),
        "stack": st.lists(st.text(max_size=30), max_size=4),
    },
)
networks = st.fixed_dictionaries(
    {
        "type": st.just("network"),
        "t": st.just(2),
        "host": st.text(min_size=1, max_size=20),
        "method": st.just("POST"),
    },
    optional={
        "url": st.text(max_size=60),
        "request_body_b64": st.one_of(st.text(max_size=60), st.binary(max_size=80).map(lambda b: b.hex())),
        "request_headers": st.dictionaries(st.text(max_size=8), st.text(max_size=20), max_size=3),
        "stack": st.lists(st.text(max_size=30), max_size=3),
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(api_calls, max_size=5), st.lists(networks, max_size=5))
def test_fuzz_pi_reads_and_requests(calls: list[dict[str, object]], reqs: list[dict[str, object]]) -> None:
    _run([json.dumps(e) for e in [*calls, *reqs]])
