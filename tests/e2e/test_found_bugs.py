"""Crashes found by fuzzing the scan path, kept as regression tests: in-process,
the contract is success or InputError, nothing else."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from apprights.engine.scan import ScanRequest, scan
from apprights.errors import InputError
from apprights.knowledge import Knowledge

REPO = Path(__file__).resolve().parents[2]


def scan_ok_or_input_error(req: ScanRequest) -> None:
    with contextlib.suppress(InputError):
        scan(req, Knowledge.load())


def test_listing_with_a_lone_surrogate(tmp_path: Path) -> None:
    listings = json.loads((REPO / "samples" / "listing-news.json").read_text(encoding="utf-8"))
    listings[1]["package"] = "\ud800"
    listings[1]["category"] = "t"
    p = tmp_path / "listing.json"
    p.write_text(
        json.dumps(listings, ensure_ascii=True), encoding="utf-8"
    )  # "\ud800" escape: valid JSON text
    scan_ok_or_input_error(ScanRequest(listings=[p]))


def test_deeply_nested_exodus_file(tmp_path: Path) -> None:
    p = tmp_path / "exodus.json"
    p.write_text("[" * 100_000 + "]" * 100_000, encoding="ascii")
    with contextlib.suppress(InputError):
        Knowledge.load(exodus_file=p)
