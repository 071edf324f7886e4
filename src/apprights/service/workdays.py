"""Chinese working days: official public holidays and make-up working days (调休上班日).

Rectification deadlines in the 164 notice are counted in working days ("5个工作日内"). A working day is a
Monday-to-Friday that is not an official holiday, or a Saturday/Sunday the State Council declared a make-up
working day. The schedule for each year is published by the General Office of the State Council
(国务院办公厅关于YYYY年部分节假日安排的通知), usually in November of the year before.

The default calendar is backed by the ``chinese-calendar`` package, which ships the published schedules up to
the last year it knows. A year it does not know is never guessed: ``is_workday`` raises ``CalendarError``
until an operator loads the official schedule for that year (``add_year_schedule`` / ``load_schedule_file``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from apprights.errors import CalendarError, InputError

log = logging.getLogger(__name__)

# A schedule file is a handful of dates; anything much larger is not one.
MAX_SCHEDULE_FILE_BYTES = 64 * 1024
# Deadlines in the notices are a few working days; a year is a generous upper bound.
MAX_WORKING_DAYS = 366
_MIN_YEAR = 1949
_MAX_YEAR = 2200

# Returns True (working day) / False (rest day), or None when the backing data does not cover the date.
PackageLookup = Callable[[date], bool | None]


@dataclass(frozen=True)
class YearSchedule:
    """One year's official schedule as published by the State Council."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str = ""

    def is_workday(self, d: date) -> bool:
        if d in self.workdays:
            return True
        if d in self.holidays:
            return False
        return d.weekday() < 5


def _chinese_calendar_lookup(d: date) -> bool | None:
    import chinese_calendar  # imported lazily: it is only needed when the default calendar is used

    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:
        return None


def _chinese_calendar_years() -> tuple[int, int] | None:
    try:
        from chinese_calendar import constants
    except ImportError:  # pragma: no cover - the package is a core dependency
        return None
    years = {d.year for d in constants.holidays} | {d.year for d in constants.workdays}
    return (min(years), max(years)) if years else None


class WorkdayCalendar:
    """Working-day calendar: package data plus operator-loaded official schedules (which take precedence)."""

    def __init__(
        self,
        package_lookup: PackageLookup | None = None,
        package_years: tuple[int, int] | None = None,
    ) -> None:
        self._package_lookup = package_lookup
        self._package_years = package_years
        self._schedules: dict[int, YearSchedule] = {}

    @classmethod
    def default(cls) -> WorkdayCalendar:
        """A calendar backed by the installed ``chinese-calendar`` package."""
        return cls(package_lookup=_chinese_calendar_lookup, package_years=_chinese_calendar_years())

    # -- loading official schedules -------------------------------------------------------------------

    def add_year_schedule(
        self, year: int, holidays: list[date], workdays: list[date], source: str = ""
    ) -> None:
        """Load the official schedule for ``year``; it overrides the package data for that year.

        ``holidays`` are all rest days of the holiday periods (weekend days inside a period may be listed or
        not), ``workdays`` the make-up working days. Raises ``InputError`` when the lists are inconsistent.
        """
        where = source or f"schedule {year}"
        if isinstance(year, bool) or not isinstance(year, int) or not _MIN_YEAR <= year <= _MAX_YEAR:
            raise InputError(
                where, f"year must be an integer between {_MIN_YEAR} and {_MAX_YEAR}, got {year!r}"
            )
        for kind, days in (("holidays", holidays), ("workdays", workdays)):
            for d in days:
                if not isinstance(d, date):
                    raise InputError(where, f"{kind}: {d!r} is not a date")
                if d.year != year:
                    raise InputError(where, f"{kind}: {d.isoformat()} is not in {year}")
        both = sorted(set(holidays) & set(workdays))
        if both:
            raise InputError(where, f"dates listed as both holiday and workday: {', '.join(map(str, both))}")
        weekday_makeups = sorted(d for d in workdays if d.weekday() < 5)
        if weekday_makeups:
            # A make-up working day is by definition a Saturday or Sunday; a weekday here is a typo.
            raise InputError(
                where,
                "make-up working days must fall on a Saturday or Sunday: "
                + ", ".join(d.isoformat() for d in weekday_makeups),
            )
        if year in self._schedules:
            log.info("replacing loaded working-day schedule for %d", year)
        self._schedules[year] = YearSchedule(year, frozenset(holidays), frozenset(workdays), source)

    def load_schedule_file(self, path: Path) -> None:
        """Load a JSON schedule file ``{"year", "holidays": [ISO dates], "workdays": [...], "source"}``."""
        path = Path(path)
        try:
            with path.open("rb") as f:
                raw = f.read(MAX_SCHEDULE_FILE_BYTES + 1)
        except OSError as exc:
            raise InputError(str(path), f"cannot read schedule file: {exc.strerror or exc}") from exc
        if len(raw) > MAX_SCHEDULE_FILE_BYTES:
            raise InputError(str(path), f"schedule file larger than {MAX_SCHEDULE_FILE_BYTES} bytes")
        try:
            data: Any = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise InputError(str(path), "schedule file is not UTF-8") from exc
        except json.JSONDecodeError as exc:
            raise InputError(str(path), f"not valid JSON (line {exc.lineno}: {exc.msg})") from exc
        if not isinstance(data, dict):
            raise InputError(str(path), "schedule file must be a JSON object")
        year = data.get("year")
        if isinstance(year, bool) or not isinstance(year, int):
            raise InputError(str(path), "field 'year' must be an integer")
        source = data.get("source", "")
        if not isinstance(source, str):
            raise InputError(str(path), "field 'source' must be a string")
        lists: dict[str, list[date]] = {}
        for key in ("holidays", "workdays"):
            value = data.get(key)
            if not isinstance(value, list):
                raise InputError(str(path), f"field '{key}' must be a list of ISO dates (YYYY-MM-DD)")
            parsed: list[date] = []
            for i, item in enumerate(value):
                if not isinstance(item, str):
                    raise InputError(str(path), f"{key}[{i}]: expected a date string, got {item!r}")
                try:
                    parsed.append(date.fromisoformat(item))
                except ValueError as exc:
                    raise InputError(str(path), f"{key}[{i}]: {item!r} is not a YYYY-MM-DD date") from exc
            lists[key] = parsed
        try:
            self.add_year_schedule(year, lists["holidays"], lists["workdays"], source or str(path))
        except InputError as exc:
            raise InputError(str(path), exc.problem) from exc

    # -- queries ---------------------------------------------------------------------------------------

    def loaded_years(self) -> list[int]:
        """Years with an operator-loaded schedule."""
        return sorted(self._schedules)

    def covers(self, d: date) -> bool:
        """Whether the calendar knows ``d`` (without raising)."""
        try:
            self.is_workday(d)
        except CalendarError:
            return False
        return True

    def is_workday(self, d: date) -> bool:
        """True for a working day; raises ``CalendarError`` for a date the calendar does not cover."""
        schedule = self._schedules.get(d.year)
        if schedule is not None:
            return schedule.is_workday(d)
        if self._package_lookup is not None:
            answer = self._package_lookup(d)
            if answer is not None:
                return answer
        raise CalendarError(self._not_covered_message(d))

    def _not_covered_message(self, d: date) -> str:
        known = ""
        if self._package_years is not None:
            known = f" (built-in data covers {self._package_years[0]}–{self._package_years[1]})"
        return (
            f"{d.isoformat()}: the working-day calendar has no official holiday schedule for {d.year}{known}; "
            f"load the State Council's {d.year} holiday schedule (--schedule FILE) / "
            f"工作日历缺少{d.year}年法定节假日安排，请导入国务院办公厅发布的{d.year}年部分节假日安排"
        )


def working_day_deadline(issued: date, n: int = 5, cal: WorkdayCalendar | None = None) -> date:
    """The ``n``-th working day after ``issued`` (the issue day itself does not count).

    Raises ``CalendarError`` when a day on the way is not covered by the calendar, ``ValueError`` for an
    ``n`` outside 1..366.
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_WORKING_DAYS:
        raise ValueError(f"number of working days must be between 1 and {MAX_WORKING_DAYS}, got {n!r}")
    calendar = cal if cal is not None else WorkdayCalendar.default()
    d = issued
    counted = 0
    while counted < n:
        if d == date.max:
            raise CalendarError(
                f"{issued.isoformat()}: 期限超出日历范围 / the deadline falls after {date.max}"
            )
        d += timedelta(days=1)
        if calendar.is_workday(d):
            counted += 1
    return d
