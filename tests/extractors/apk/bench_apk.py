"""Parse-time benchmark: our APK extractor against androguard's APK() on the shared APKs.

Run: ``.venv/bin/python -m tests.extractors.apk.bench_apk [DIR ...]`` (not collected by pytest).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from apprights.errors import InputError
from apprights.extractors.apk import open_apk
from tests.conftest import SHARED_DATA


def best_of(fn: object, n: int = 5) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t)
    return min(times) * 1000


def ours_manifest(path: Path) -> None:
    with open_apk(path) as apk:
        apk.manifest()


def ours_all(path: Path) -> None:
    with open_apk(path) as apk:
        apk.manifest()
        apk.facts()


def androguard(path: Path) -> None:
    from androguard.core.apk import APK

    a = APK(str(path))
    a.get_app_name()
    a.get_permissions()
    a.get_certificates()


def main(dirs: list[str]) -> None:
    from loguru import logger

    logger.disable("androguard")
    paths = sorted(p for d in dirs for p in Path(d).rglob("*.apk"))
    rows = []
    print(f"{'apk':48} {'KiB':>6} {'manifest ms':>11} {'+facts ms':>9} {'androguard ms':>13}")
    for p in paths:
        try:
            m = best_of(lambda p=p: ours_manifest(p))
            f = best_of(lambda p=p: ours_all(p))
        except InputError:
            continue
        a = best_of(lambda p=p: androguard(p), 3)
        rows.append((m, f, a))
        print(f"{p.name[:48]:48} {p.stat().st_size // 1024:6} {m:11.2f} {f:9.2f} {a:13.2f}")
    if rows:
        cols = list(zip(*rows, strict=True))
        print(
            f"{len(rows)} APKs, median ms: manifest {statistics.median(cols[0]):.2f}, "
            f"manifest+facts {statistics.median(cols[1]):.2f}, androguard {statistics.median(cols[2]):.2f}; "
            f"total: {sum(cols[0]):.0f} / {sum(cols[1]):.0f} / {sum(cols[2]):.0f}"
        )


if __name__ == "__main__":
    main(sys.argv[1:] or [str(SHARED_DATA / "apks")])
