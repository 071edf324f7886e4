"""Factories for store listings (``apprights-listing/1``) used by tests, benchmarks and users."""

from __future__ import annotations

from typing import Any

from apprights.extractors.listing import parse_listing
from apprights.model.listing import ListingFacts

# A valid USCC (check character computed per GB 32100-2015).
GOOD_USCC = "91110108MA01C8QX33"


def listing_dict(**overrides: Any) -> dict[str, Any]:
    """A complete, compliant listing as a JSON-ready dict; keyword overrides replace top-level fields
    (``None`` removes one)."""
    base: dict[str, Any] = {
        "format": "apprights-listing/1",
        "store": "huawei",
        "captured_at": "2026-11-20T10:00:00+08:00",
        "url": "https://appgallery.example/app/C100",
        "listed": True,
        "app_name": "示例新闻",
        "package": "com.example.news",
        "version_name": "5.2.0",
        "updated_at": "2026-11-01",
        "developer": {"name": "示例科技有限公司", "uscc": GOOD_USCC, "country": "CN"},
        "icp_filing": "京ICP备12345678号-5A",
        "contact": {"phone": "010-12345678", "email": "privacy@example.com"},
        "description": "新闻资讯阅读",
        "category": "新闻阅读",
        "permissions": [
            {"name": "android.permission.ACCESS_FINE_LOCATION", "purpose": "用于推荐本地新闻"},
        ],
        "privacy_policy_url": "https://example.com/privacy",
        "privacy_policy_depth": 1,
        "sdk_disclosure": True,
        "field_depth": {"developer": 1, "version_name": 1, "permissions": 1},
    }
    for k, v in overrides.items():
        if v is None:
            base.pop(k, None)
        else:
            base[k] = v
    return base


def make_listing(index: int = 0, path: str = "listing.json", **overrides: Any) -> ListingFacts:
    return parse_listing(path, index, "object", listing_dict(**overrides))
