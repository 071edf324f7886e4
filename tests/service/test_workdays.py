"""Working-day deadlines against published State Council holiday schedules."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from apprights.errors import CalendarError, InputError
from apprights.service.workdays import WorkdayCalendar, working_day_deadline

D = date.fromisoformat

# Dates from the published notices (国务院办公厅关于2021/2022/2026年部分节假日安排的通知).
NOTICE_EXAMPLES = [
    ("2021-01-22", "2021-01-29"),  # ordinary week
    ("2021-09-23", "2021-09-29"),  # Mid-Autumn 09-19..21; Sunday 09-26 is a make-up working day
    ("2022-02-18", "2022-02-25"),  # after Spring Festival
    ("2026-09-18", "2026-09-24"),  # Sunday 2026-09-20 make-up working day
    ("2026-09-30", "2026-10-13"),  # National Day 10-01..07, Saturday 10-10 working day
]


@pytest.fixture(scope="module")
def cal() -> WorkdayCalendar:
    return WorkdayCalendar.default()


# An illustrative 2027 schedule in the file format (NOT the official 2027 notice: test data only).
SCHEDULE_2027 = {
    "year": 2027,
    "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"],
    "workdays": [],
    "source": "test fixture in the format of 国务院办公厅关于2027年部分节假日安排的通知",
}


def _write(tmp_path: Path, data: object, name: str = "2027.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return p


@pytest.mark.parametrize(("issued", "expected"), NOTICE_EXAMPLES)
def test_deadline_matches_published_schedules(cal: WorkdayCalendar, issued: str, expected: str) -> None:
    assert working_day_deadline(D(issued), 5, cal) == D(expected)


def test_package_data_agrees_with_notices(cal: WorkdayCalendar) -> None:
    # make-up working days on a weekend
    for s in ("2021-09-26", "2026-09-20", "2026-10-10"):
        assert D(s).weekday() >= 5 and cal.is_workday(D(s)), s
    # weekday holidays
    for s in ("2021-09-20", "2021-09-21", "2022-02-04", *(f"2026-10-0{i}" for i in range(1, 8))):
        assert not cal.is_workday(D(s)), s
    assert cal.is_workday(D("2026-10-08")) and cal.is_workday(D("2026-10-09"))


def test_default_argument_uses_package_calendar() -> None:
    assert working_day_deadline(D("2026-09-30")) == D("2026-10-13")


def test_deadline_is_nth_working_day_strictly_after_issue(cal: WorkdayCalendar) -> None:
    for issued in (D("2026-01-01") + timedelta(days=i) for i in range(0, 360, 7)):
        due = working_day_deadline(issued, 5, cal)
        between = [issued + timedelta(days=k) for k in range(1, (due - issued).days + 1)]
        assert sum(cal.is_workday(x) for x in between) == 5
        assert cal.is_workday(due)


def test_n_one_and_invalid_n(cal: WorkdayCalendar) -> None:
    assert working_day_deadline(D("2026-09-30"), 1, cal) == D("2026-10-08")
    for bad in (0, -1, 367):
        with pytest.raises(ValueError):
            working_day_deadline(D("2026-09-30"), bad, cal)


def test_uncovered_year_raises_clear_error(cal: WorkdayCalendar) -> None:
    with pytest.raises(CalendarError) as exc:
        working_day_deadline(D("2026-12-31"), 5, cal)
    msg = str(exc.value)
    assert "2027" in msg and "schedule" in msg and "节假日" in msg
    with pytest.raises(CalendarError):
        cal.is_workday(D("2027-03-03"))
    with pytest.raises(CalendarError):
        cal.is_workday(D("2003-05-01"))
    assert not cal.covers(D("2027-01-04")) and cal.covers(D("2026-01-05"))


def test_loaded_schedule_covers_next_year(tmp_path: Path) -> None:
    cal = WorkdayCalendar.default()
    cal.load_schedule_file(_write(tmp_path, SCHEDULE_2027))
    # 01-01..03 rest, then Mon 01-04 .. Fri 01-08
    assert working_day_deadline(D("2026-12-31"), 5, cal) == D("2027-01-08")
    assert cal.loaded_years() == [2027]


def test_loaded_make_up_day_changes_deadline(tmp_path: Path) -> None:
    cal = WorkdayCalendar.default()
    data = dict(SCHEDULE_2027, holidays=["2027-01-01", "2027-01-02"], workdays=["2027-01-03"])
    cal.load_schedule_file(_write(tmp_path, data))
    assert cal.is_workday(D("2027-01-03"))
    assert working_day_deadline(D("2026-12-31"), 5, cal) == D("2027-01-07")


def test_loaded_schedule_overrides_package_year() -> None:
    cal = WorkdayCalendar.default()
    assert cal.is_workday(D("2026-10-08"))
    cal.add_year_schedule(2026, [D("2026-10-08")], [], source="corrected notice")
    assert not cal.is_workday(D("2026-10-08"))
    # a year-only override: make-up days the package knew are gone unless listed
    assert not cal.is_workday(D("2026-10-10"))


def test_calendar_without_package_data_covers_nothing_but_loaded_years() -> None:
    cal = WorkdayCalendar()
    with pytest.raises(CalendarError):
        cal.is_workday(D("2026-10-08"))
    cal.add_year_schedule(2030, [], [])
    assert cal.is_workday(D("2030-01-07"))


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00", "UTF-8"),
        (b"[]", "JSON object"),
        (json.dumps({"holidays": [], "workdays": []}).encode(), "'year'"),
        (json.dumps({"year": "2027", "holidays": [], "workdays": []}).encode(), "'year'"),
        (json.dumps({"year": 2027, "workdays": []}).encode(), "'holidays'"),
        (json.dumps({"year": 2027, "holidays": ["2027-13-01"], "workdays": []}).encode(), "holidays[0]"),
        (json.dumps({"year": 2027, "holidays": [20270101], "workdays": []}).encode(), "holidays[0]"),
        (json.dumps({"year": 2027, "holidays": ["2028-01-01"], "workdays": []}).encode(), "not in 2027"),
        (
            json.dumps({"year": 2027, "holidays": [], "workdays": ["2027-02-08"]}).encode(),
            "Saturday or Sunday",
        ),
        (
            json.dumps({"year": 2027, "holidays": ["2027-02-07"], "workdays": ["2027-02-07"]}).encode(),
            "both holiday and workday",
        ),
        (json.dumps({"year": 99999, "holidays": [], "workdays": []}).encode(), "year must be"),
        (json.dumps({"year": 2027, "holidays": [], "workdays": [], "source": 1}).encode(), "'source'"),
        (b" " * (70 * 1024), "larger than"),
    ],
)
def test_bad_schedule_file_is_input_error(tmp_path: Path, content: bytes, fragment: str) -> None:
    p = tmp_path / "bad.json"
    p.write_bytes(content)
    cal = WorkdayCalendar.default()
    with pytest.raises(InputError) as exc:
        cal.load_schedule_file(p)
    assert exc.value.path == str(p)
    assert fragment in exc.value.problem
    assert cal.loaded_years() == []


def test_missing_schedule_file_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        WorkdayCalendar.default().load_schedule_file(tmp_path / "nope.json")
