"""Errors that cross layers.

``InputError`` is the only exception an extractor may raise for bad input: it names the file and the
problem, and the CLI turns it into one line on stderr and exit code 2.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2


class AppRightsError(Exception):
    """Base class of the project's own errors."""


class InputError(AppRightsError):
    """Bad user input: names the file (or other input) and what is wrong with it."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class CalendarError(AppRightsError):
    """A date the working-day calendar does not cover: never guessed."""
