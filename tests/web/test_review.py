"""Review-queue filters: parsing drops what is malformed, and the filters survive a round trip through the URL."""

from __future__ import annotations

from apprights.web.review import Filters


def test_filters_parse_drops_junk_and_round_trips() -> None:
    f = Filters.parse(
        {
            "status": "nope",
            "problem_type": "11",
            "severity": "high",
            "confidence": "x",
            "store": "-1",
            "province": "35",
        }
    )
    assert f == Filters(status="pending", severity="high", province="35")
    g = Filters.parse(
        {"status": "dismissed", "problem_type": "3", "sdk": "jpush", "store": "2", "scan_run": "9"}
    )
    assert Filters.parse({k: str(v) for k, v in g.query().items()}) == g
    assert Filters.parse({"province": "35 OR 1=1"}).province == ""
