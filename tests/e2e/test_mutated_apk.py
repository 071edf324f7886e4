"""Byte mutations of the demo APK through apprights.engine.scan.scan in-process: success or InputError only."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apprights.engine.scan import ScanRequest, scan
from apprights.errors import InputError
from apprights.knowledge import Knowledge
from tests.batch.apps import NEWS_APK

ORIGINAL = NEWS_APK.read_bytes()
KNOWLEDGE = Knowledge.load()

# (offset, new byte) edits, a truncation point and an optional splice of the file into itself
edits = st.lists(st.tuples(st.integers(0, len(ORIGINAL) - 1), st.integers(0, 255)), min_size=1, max_size=12)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(ORIGINAL)
    for off, val in draw(edits):
        data[off] = val
    how = draw(st.sampled_from(["edit", "truncate", "splice", "insert"]))
    if how == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif how == "splice":
        a, b = sorted(draw(st.tuples(st.integers(0, len(data)), st.integers(0, len(data)))))
        data = data[:a] + data[b:] + data[a:b]
    elif how == "insert":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
    return bytes(data)


def test_original_scans() -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "news.apk"
        p.write_bytes(ORIGINAL)
        assert scan(ScanRequest(apk=p), KNOWLEDGE).report["app"]["package"] == "com.example.news"


@pytest.mark.slow
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(mutated())
def test_mutated_apk_is_scanned_or_rejected_with_input_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "mutant.apk"
        p.write_bytes(data)
        try:
            res = scan(ScanRequest(apk=p), KNOWLEDGE)
        except InputError as exc:
            assert str(p) in str(exc)
            return
        assert res.report["format"] == "apprights-report/1"
        assert res.report["inputs"][0]["size"] == len(data)
