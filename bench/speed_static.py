"""Quick per-APK CPU-time check of the static scan against the floor (no androguard, no exodus).

Run: ``.venv/bin/python bench/speed_static.py [N] [--scan] [apk ...]`` (default: best of 7, every APK of
../shared/data apks-cn and apks with at least 65 KB of dex). Uses bench_static's ``floor`` and ``ours``
unchanged; ``--scan`` adds bench_static's ``user_scan`` (``apprights scan`` in the process: signatures
verified, all rules, the report) as a last column.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_static as b

from apprights.extractors.dex import DexTargets
from apprights.knowledge import Knowledge

MIN_DEX = 65 * 1024


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv and argv[0].isdigit() else 7
    with_scan = "--scan" in argv
    paths = [Path(a) for a in argv if not a.isdigit() and a != "--scan"] or [
        p for c in ("apks-cn", "apks") for p in sorted((b.SHARED / c).glob("*.apk"))
    ]
    knowledge = Knowledge.load()
    targets = DexTargets.from_catalogue(knowledge.sensitive_apis)
    head = "| input | dex MB | floor ms | ours ms | ours/floor |"
    print(
        f"{head} scan ms |\n|---|---:|---:|---:|---:|---:|"
        if with_scan
        else f"{head}\n|---|---:|---:|---:|---:|"
    )
    ratios = []
    for p in paths:
        size = sum(len(d) for _, d in b._dex_of(p))
        if size < MIN_DEX:
            continue
        b.ours(p, targets)  # warm-up
        t_floor = b.best_of(lambda p=p: b.floor(p), n)
        t_ours = b.best_of(lambda p=p: b.ours(p, targets), n)
        ratios.append(t_ours / t_floor)
        row = (
            f"| {p.name} | {size / 1e6:.2f} | {t_floor * 1e3:.1f} | {t_ours * 1e3:.1f} | {ratios[-1]:.2f}x |"
        )
        if with_scan:
            b.user_scan(p, knowledge)  # warm-up: first-use caches of the rules
            row += f" {b.best_of(lambda p=p: b.user_scan(p, knowledge), n) * 1e3:.1f} |"
        print(row, flush=True)
    if ratios:
        print(f"\nmax {max(ratios):.2f}x, median {sorted(ratios)[len(ratios) // 2]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
