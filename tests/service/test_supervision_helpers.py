"""apprights.service.stores.supervision helpers, directly: capture times and "is this listed app (a clone of) the
removed app". The listing ingestion and checks themselves run through the API in test_store_supervision.py."""

from __future__ import annotations

from datetime import datetime

import pytest

from apprights.service.stores.supervision import Identity, parse_captured_at, same_app


def test_captured_at_is_naive_utc_and_beijing_by_default() -> None:
    assert parse_captured_at("2026-10-08T10:00:00Z") == datetime(2026, 10, 8, 10, 0)
    assert parse_captured_at(" 2026-10-08T10:00:00+08:00 ") == datetime(2026, 10, 8, 2, 0)
    assert parse_captured_at("2026-10-08T10:00:00") == datetime(2026, 10, 8, 2, 0)  # no zone: Beijing
    for bad in ("yesterday", "", "2026-13-01T00:00:00", "x" * 10_000):
        with pytest.raises(ValueError, match="ISO 8601"):
            parse_captured_at(bad)
    with pytest.raises(ValueError, match="out of range"):
        parse_captured_at("0001-01-01T00:00:00+14:00")


def ident(
    app_id: int | None = None,
    package: str = "",
    name: str = "",
    developer: str = "",
    signers: tuple[str, ...] = (),
) -> Identity:
    return Identity(app_id, package, name, developer, frozenset(signers))


def test_same_app_by_package_signer_or_name_and_developer() -> None:
    removed = ident(1, "com.bad.app", "坏应用", "坏公司", ("ab" * 32,))
    assert same_app(ident(1), removed) == "package"
    assert same_app(ident(None, "com.bad.app"), removed) == "package"
    assert same_app(ident(None, "com.clone.app", signers=("ab" * 32,)), removed) == "signer"
    assert same_app(ident(None, "com.clone.app", "坏应用", "坏公司"), removed) == "name_developer"
    assert same_app(ident(None, "com.clone.app", "坏应用", "别的公司"), removed) is None
    assert same_app(ident(None, "com.other.app", "", ""), ident(2, "", "", "")) is None  # empty never matches
