"""A fake ``adb`` executable for end-to-end runs of ``apprights collect``: answers each command line with the
first rule whose fragment it contains (rules: a JSON file named by ``FAKE_ADB_RULES``), prints the host clock
for ``date +%s.%N`` (the device clock of a device on time), and appends every command line to
``FAKE_ADB_LOG``. A rule's output may start with ``!N `` to exit with status N and print the rest on stderr.

Usage (through a wrapper script named ``adb``): ``FAKE_ADB_RULES=rules.json FAKE_ADB_LOG=log python fake_adb.py ARGS``.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    line = " ".join(argv)
    with open(os.environ["FAKE_ADB_LOG"], "a", encoding="utf-8") as log:
        log.write(line + "\n")
    with open(os.environ["FAKE_ADB_RULES"], encoding="utf-8") as f:
        rules: list[list[str]] = json.load(f)
    if "date +%s.%N" in line:
        sys.stdout.write(f"{time.time():.9f}\n")
        return 0
    for fragment, output in rules:
        if fragment in line:
            if output.startswith("!"):
                code, _, rest = output[1:].partition(" ")
                sys.stderr.write(rest)
                return int(code)
            sys.stdout.write(output)
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
