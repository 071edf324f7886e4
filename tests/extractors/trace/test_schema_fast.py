"""The generated per-type predicates agree with ``validate_event`` (the reference that names the bad field)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from apprights.errors import InputError
from apprights.extractors.trace.schema import SCHEMA, fast_checks, validate_event

CHECKS, UNKNOWN = fast_checks()

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.sampled_from(["", " ", "foreground", "agreed", "granted", "service", "startService", "a" * 64]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
names = sorted({n for req, opt in SCHEMA.values() for n in (*req, *opt)} | {"process", "pid", "wall", "x"})


def full_ok(ev: dict[str, Any]) -> bool:
    try:
        validate_event(ev, "f", 1)
    except InputError:
        return False
    return True


@settings(max_examples=600, deadline=None)
@given(
    st.sampled_from([t for t in SCHEMA if t != "session"] + ["thermal"]),
    st.dictionaries(st.sampled_from(names), values, max_size=7),
)
def test_fast_predicate_agrees_with_validate_event(typ: str, fields: dict[str, Any]) -> None:
    ev = {**fields, "type": typ, "t": 1.5}
    assert (CHECKS.get(typ) or UNKNOWN)(ev) == full_ok(ev), ev


def test_fast_predicate_on_well_formed_events() -> None:
    ok = {
        "api_call": {"api": "a.B.c", "stack": ["x.Y.z"], "args": [1], "ret_sha256": "ab" * 32, "pid": 3},
        "network": {"host": "h", "method": "GET", "request_headers": {"A": "b", "C": ["d"]}, "port": 443},
        "ui": {"screen": "s", "checkboxes": [{"text": "t", "checked": True}]},
        "tap": {"x": 1.5, "y": 2},
        "sensor_injection": {"sensor": "gyroscope", "accel_ms2": 9.8},
    }
    for typ, fields in ok.items():
        ev = {"type": typ, "t": 1, **fields}
        assert CHECKS[typ](ev) and full_ok(ev)
    bad = {"type": "tap", "t": 1, "x": float("inf")}
    assert not CHECKS["tap"](bad) and not full_ok(bad)
    assert not CHECKS["api_call"]({"type": "api_call", "t": 1, "api": "  "})
