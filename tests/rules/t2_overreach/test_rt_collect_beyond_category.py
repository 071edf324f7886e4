from __future__ import annotations

from apprights.rules.t2_overreach.rt_collect_beyond_category import CollectBeyondCategory
from tests.extractors.trace.support import run_file


def test_triggers_news_app_reading_location_and_contacts() -> None:
    found = {f.key for f in run_file(CollectBeyondCategory, "t2_violate.jsonl", category="新闻资讯类")}
    assert found == {"category:location", "category:contacts"}


def test_clean_map_app_reading_location() -> None:
    assert run_file(CollectBeyondCategory, "t2_clean.jsonl", category="地图导航类") == []


def test_clean_without_or_with_unknown_category() -> None:
    assert run_file(CollectBeyondCategory, "t2_violate.jsonl") == []
    assert run_file(CollectBeyondCategory, "t2_violate.jsonl", category="不存在的类") == []
