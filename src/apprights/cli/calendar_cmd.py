"""``apprights calendar``: Chinese working-day deadlines (official holidays and make-up working days)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from apprights.errors import EXIT_BAD_INPUT, CalendarError, InputError
from apprights.service.workdays import MAX_WORKING_DAYS, WorkdayCalendar, working_day_deadline

app = typer.Typer(
    help="Chinese working-day calendar (official holidays, make-up working days) for rectification deadlines.",
    no_args_is_help=True,
)


@app.callback()
def _calendar() -> None:
    """Chinese working-day calendar (official holidays and make-up working days)."""


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_BAD_INPUT)


@app.command()
def due(
    issued: Annotated[str, typer.Argument(metavar="DATE", help="Issue date, YYYY-MM-DD.")],
    working_days: Annotated[
        int, typer.Option("--working-days", "-n", help="Number of working days allowed.")
    ] = 5,
    schedule: Annotated[
        list[Path] | None,
        typer.Option(
            "--schedule",
            metavar="FILE",
            help='Official holiday schedule JSON for a year the built-in data lacks: {"year": 2027, '
            '"holidays": ["2027-01-01", ...], "workdays": ["2027-02-07", ...], "source": "..."}. Repeatable.',
        ),
    ] = None,
) -> None:
    """Print the deadline: the N-th working day after DATE (ISO format).

    Exit 2 when the date is malformed or the calendar does not cover the days involved.
    """
    try:
        issued_on = date.fromisoformat(issued.strip())
    except ValueError:
        raise _fail(f"{issued!r} is not a date in YYYY-MM-DD form / 日期格式应为YYYY-MM-DD") from None
    if not 1 <= working_days <= MAX_WORKING_DAYS:
        raise _fail(f"--working-days must be between 1 and {MAX_WORKING_DAYS}, got {working_days}")
    cal = WorkdayCalendar.default()
    try:
        for path in schedule or []:
            cal.load_schedule_file(path)
        deadline = working_day_deadline(issued_on, working_days, cal)
    except (InputError, CalendarError) as exc:
        raise _fail(str(exc)) from None
    typer.echo(deadline.isoformat())
