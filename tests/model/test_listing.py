"""ListingFacts / ListedPermission: defaults, and what the listing extractor fills in from the sample."""

from __future__ import annotations

from pathlib import Path

from apprights.extractors.listing import extract_listings
from apprights.model.listing import ListedPermission, ListingFacts

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "listing-news.json"


def test_defaults_are_absent_not_empty() -> None:
    a = ListingFacts(path="l.json", index=0, store="s", captured_at="2026-11-01", listed=True, app_name="A")
    b = ListingFacts(path="l.json", index=1, store="s", captured_at="2026-11-01", listed=False, app_name="B")
    assert a.permissions is None and a.developer_uscc is None and a.sdk_disclosure is None
    a.field_depth["developer_name"] = 3
    assert b.field_depth == {}  # no shared mutable default
    assert ListedPermission("android.permission.CAMERA").purpose == ""


def test_sample_listing_fills_the_facts() -> None:
    facts = extract_listings(SAMPLE)
    assert facts and all(isinstance(f, ListingFacts) for f in facts)
    assert [f.index for f in facts] == list(range(len(facts)))
    f = facts[0]
    assert f.path == str(SAMPLE) and f.store and f.app_name
    for p in f.permissions or []:
        assert isinstance(p, ListedPermission) and p.name
