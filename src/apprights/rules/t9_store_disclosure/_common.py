"""Helpers shared by the listing rules of problem types 9 and 10."""

from __future__ import annotations

from typing import Any

from apprights.model.finding import Evidence, Subject
from apprights.model.listing import ListingFacts
from apprights.rules.base import platform_subject

STORE_NAMES = {
    "huawei": "华为应用市场",
    "xiaomi": "小米应用商店",
    "tencent-myapp": "应用宝",
    "oppo": "OPPO软件商店",
    "vivo": "vivo应用商店",
    "360": "360手机助手",
    "wandoujia": "豌豆荚",
    "baidu": "百度手机助手",
    "honor": "荣耀应用市场",
    "meizu": "魅族应用商店",
    "apple": "App Store",
}


def store_subject(listing: ListingFacts) -> Subject:
    return platform_subject(listing.store, STORE_NAMES.get(listing.store, listing.store))


def listing_evidence(listing: ListingFacts, **data: Any) -> Evidence:
    base: dict[str, Any] = {
        "listing": listing.path,
        "index": listing.index,
        "store": listing.store,
        "captured_at": listing.captured_at,
        "app_name": listing.app_name,
    }
    if listing.url:
        base["url"] = listing.url
    base.update(data)
    return Evidence("listing", base)
