"""A recorded-output runner for ``Adb``: answers each adb command with recorded real-format output.

Rules are (argv fragment, outputs): the first rule whose fragment occurs in the command line answers; a rule
with several outputs plays them in order and then repeats the last. Every command is logged so tests can
check what the driver did on the device.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from apprights.collect.adb import CommandResult

FIXTURES = Path(__file__).parent / "fixtures"
# A recorded output, or a function giving it at call time (the device clock follows the fake clock).
Output = str | CommandResult | Callable[[], str | CommandResult]


def fixture(*parts: str) -> str:
    return FIXTURES.joinpath(*parts).read_text(encoding="utf-8")


class ReplayRunner:
    def __init__(self, rules: Sequence[tuple[str, Sequence[Output]]]) -> None:
        self.rules = [(frag, list(outs)) for frag, outs in rules]
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str], timeout: float) -> CommandResult:
        self.calls.append(list(argv))
        line = " ".join(argv)
        for frag, outs in self.rules:
            if frag in line:
                out = outs.pop(0) if len(outs) > 1 else outs[0]
                if callable(out):
                    out = out()
                return out if isinstance(out, CommandResult) else CommandResult(0, out)
        return CommandResult(0, "")

    def commands(self) -> list[str]:
        return [" ".join(c) for c in self.calls]


class FakeClock:
    """Recorded time: ``sleep`` advances it instantly. ``device_date`` is the device's ``date +%s.%N`` output
    for a device whose clock reads ``device_start`` when this clock reads ``start``."""

    def __init__(self, start: float = 1000.0, device_start: float = 1764300000.0) -> None:
        self.t = start
        self.start = start
        self.device_start = device_start

    def device_date(self) -> str:
        return f"{self.device_start + self.t - self.start:.9f}\n"

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds

    def wall_iso(self) -> str:
        return "2026-11-28T13:00:00+00:00"
