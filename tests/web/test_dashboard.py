"""Dashboard queries called directly: the chart cache serves a scope for a minute, then recomputes."""

from __future__ import annotations

from datetime import timedelta

from apprights.service.deps import Principal, Role
from apprights.web.dashboard import ChartCache, deadline_board
from tests.service.conftest import World
from tests.web.conftest import seed_findings


def test_chart_cache_per_scope_and_board(web_world: World) -> None:
    w = web_world
    seed_findings(w, 3)
    cache = ChartCache(ttl=timedelta(minutes=1))
    ministry = Principal(Role.MINISTRY, 1, "m")
    beijing = Principal(Role.PROVINCE, 2, "p", province_code="11")
    with w.client.app.state.sessionmaker() as s:
        now = w.clock.now
        a = cache.get(s, ministry, now)
        assert sum(t["value"] for t in a["types"]) == 3
        assert sum(t["value"] for t in cache.get(s, beijing, now)["types"]) == 0  # its own scope
        assert cache.get(s, ministry, now + timedelta(seconds=59)) is a
        assert cache.get(s, ministry, now + timedelta(seconds=61)) is not a
        assert cache.get(s, ministry, now - timedelta(hours=1)) is not a  # the clock went back: recompute
        board = deadline_board(s, ministry, now)
        assert board.week_end is not None and board.overdue == board.due_today == board.this_week == []
