"""apprights.cli.common: one line on stderr and the exit code; logging on stderr."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer

from apprights.cli.common import fail
from apprights.errors import EXIT_BAD_INPUT


def test_fail_prints_one_line_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as exc:
        fail("x.apk: broken")
    assert exc.value.exit_code == EXIT_BAD_INPUT == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err == "apprights: error: x.apk: broken\n"


def test_fail_with_another_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as exc:
        fail("later", code=3)
    assert exc.value.exit_code == 3 and capsys.readouterr().err.count("\n") == 1


@pytest.mark.parametrize(("verbose", "shown"), [(True, True), (False, False)])
def test_setup_logging_levels_go_to_stderr(verbose: bool, shown: bool) -> None:
    prog = (
        "import logging\nfrom apprights.cli.common import setup_logging\n"
        f"setup_logging({verbose})\nlogging.getLogger('apprights.x').debug('dbg-line')\n"
        "logging.getLogger('apprights.x').warning('warn-line')\n"
    )
    r = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True, timeout=30)
    assert r.stdout == "" and "WARNING apprights.x: warn-line" in r.stderr
    assert ("dbg-line" in r.stderr) is shown
