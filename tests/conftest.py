"""Shared test fixtures. Tests that read ../shared/data skip with a reason when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("APPRIGHTS_SHARED", REPO.parent / "shared")).resolve()
SHARED_DATA = SHARED / "data"


def shared_path(*parts: str) -> Path:
    """A path under ../shared/data, or skip the test with a reason when it is not there."""
    p = SHARED_DATA.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"shared data not available: {p}")
    return p


@pytest.fixture(scope="session")
def knowledge():  # type: ignore[no-untyped-def]
    from apprights.knowledge import Knowledge

    return Knowledge.load()
