"""Out-of-calendar dates are the caller's mistake (422 with a message), never a 500; SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from apprights.errors import CalendarError
from apprights.service.workdays import WorkdayCalendar, working_day_deadline
from tests.service.conftest import World
from tests.service.test_workflow import _report, confirm_all, ingest


def test_the_last_representable_day_has_no_deadline() -> None:
    cal = WorkdayCalendar.default()
    with pytest.raises(CalendarError, match="9999-12-31"):
        working_day_deadline(date.max, 5, cal)


@pytest.mark.parametrize("day", ["9999-12-31", "9999-12-25", "0001-01-01", "1900-01-01", "2300-06-30"])
def test_a_notice_dated_outside_the_calendar_is_422(world: World, day: str) -> None:
    w = world
    cid = confirm_all(w, ingest(w, _report())["scan_run_ids"][0])[0]
    for url, body in (
        (f"/api/v1/cases/{cid}/notice", {"issued_on": day}),
        ("/api/v1/notices/public", {"case_ids": [cid], "issued_on": day}),
    ):
        r = w.call("ministry", "POST", url, json=body)
        assert r.status_code in (409, 422), (url, r.status_code, r.text)
        assert r.status_code != 500
    r = w.call("ministry", "POST", f"/api/v1/cases/{cid}/notice", json={"issued_on": day})
    assert r.status_code == 422 and r.json()["detail"]
    assert w.ok("ministry", "GET", f"/api/v1/cases/{cid}")["state"] == "confirmed"  # nothing half-done


@pytest.mark.parametrize("day", ["2026-02-30", "10000-01-01", "2026-13-01", "-0001-01-01"])
def test_impossible_dates_are_422(world: World, day: str) -> None:
    w = world
    cid = confirm_all(w, ingest(w, _report())["scan_run_ids"][0])[0]
    r = w.call("ministry", "POST", f"/api/v1/cases/{cid}/notice", json={"issued_on": day})
    assert r.status_code == 422, r.text
