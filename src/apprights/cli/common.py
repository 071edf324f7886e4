"""Shared CLI plumbing: one-line errors on stderr and exit code 2 for bad input, never a traceback."""

from __future__ import annotations

import logging
import sys
from typing import NoReturn

import typer

from apprights.errors import EXIT_BAD_INPUT

log = logging.getLogger("apprights.cli")


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    typer.echo(f"apprights: error: {message}", err=True)
    raise typer.Exit(code)


def setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
