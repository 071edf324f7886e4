"""The speed work (issue 8) must not move a single fact: every real APK of ../shared/data (apks-cn, apks) gives
the call sites, constant arguments, reflective reads, reach entries/paths, wrapper sites, strings and entry calls
recorded in tests/fixtures/dex-golden from the code before the optimisation (``golden.py``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import SHARED_DATA
from tests.extractors.dex.golden import GOLDEN, facts_of, golden_apks, golden_name, golden_targets

APKS = golden_apks()


def test_golden_covers_the_corpus() -> None:
    if not APKS:
        pytest.skip(f"shared data not available: {SHARED_DATA}")
    recorded = {p.name for p in GOLDEN.glob("*__*.json")}
    assert {golden_name(p) for p in APKS} == recorded
    # the golden facts exercise what the optimised code computes: arguments, reflection, reach, wrappers
    text = "".join((GOLDEN / n).read_text() for n in recorded)
    for needle in ('"android_id"', '"reflective": true', '"startup": true', '"via": "android.support.'):
        assert needle in text


@pytest.mark.parametrize("path", APKS, ids=[p.name for p in APKS])
def test_same_facts_as_before(path: Path) -> None:
    expected = json.loads((GOLDEN / golden_name(path)).read_text())
    got = json.loads(json.dumps(facts_of(path, golden_targets()), ensure_ascii=False))
    for key in sorted(expected):
        assert got[key] == expected[key], f"{path.name}: {key} differs from the golden facts"
