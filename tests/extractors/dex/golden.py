"""Golden code facts of the real APKs in ../shared/data (apks-cn, apks): call sites with their constant
arguments, reflective reads, reach entries and paths, wrapper call sites, strings and entry calls, exactly as the
engine extracts them (manifest, entry classes, reachability).

Recorded once from the code before the speed work (issue 8) so that optimisations of ``scan.py``/``detail.py``/
``reach.py`` must give identical facts (``test_golden.py``). Regenerate only for an intended change of results:

    .venv/bin/python -m tests.extractors.dex.golden
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from apprights.extractors.apk import open_apk
from apprights.extractors.dex import DexTargets, entry_classes_of, extract_code, reach_roots_of
from tests.conftest import REPO, SHARED_DATA

GOLDEN = REPO / "tests" / "fixtures" / "dex-golden"
CORPORA = ("apks-cn", "apks")


def golden_apks() -> list[Path]:
    return [p for c in CORPORA for p in sorted((SHARED_DATA / c).glob("*.apk"))]


def golden_name(path: Path) -> str:
    return f"{path.parent.name}__{path.stem}.json"


def facts_of(path: Path, targets: DexTargets) -> dict[str, Any]:
    """The code facts of one APK as plain JSON data (the engine's configuration, as bench_static's ``ours``)."""
    try:
        with open_apk(path, require_manifest=False) as apk:
            manifest = None
            if apk.has_manifest:
                with contextlib.suppress(Exception):
                    manifest = apk.manifest()
            code = extract_code(
                apk.iter_dex(),
                targets,
                own_package=manifest.package if manifest is not None else None,
                entry_classes=entry_classes_of(manifest),
                reach_roots=reach_roots_of(manifest) if manifest is not None else None,
            )
    except Exception as exc:  # an APK the apk extractor refuses is recorded as such
        return {"error": type(exc).__name__}
    data = dataclasses.asdict(code)
    return {
        k: data[k]
        for k in ("call_sites", "entry_calls", "strings", "referenced_apis", "reach_depth", "warnings")
    }


TARGETS = GOLDEN / "targets.json"


def golden_targets() -> DexTargets:
    """The catalogue's targets as recorded with the golden facts (the catalogue grows; the facts must not move
    with it)."""
    t = json.loads(TARGETS.read_text())
    return DexTargets(
        [tuple(p) for p in t["pairs"]],  # type: ignore[misc]
        arg_index=t["arg_index"],
        reflection=t["reflection"],
        reach_apis=t["reach_apis"],
    )


def main() -> int:
    from apprights.knowledge import Knowledge

    GOLDEN.mkdir(parents=True, exist_ok=True)
    if not TARGETS.exists() or "--targets" in sys.argv:
        cat = DexTargets.from_catalogue(Knowledge.load().sensitive_apis)
        snap = {
            "pairs": sorted(cat.pairs),
            "arg_index": cat.arg_index,
            "reflection": cat.reflection,
            "reach_apis": sorted(cat.reach_apis or ()),
        }
        TARGETS.write_text(json.dumps(snap, indent=0, sort_keys=True) + "\n")
    targets = golden_targets()
    for p in golden_apks():
        out = GOLDEN / golden_name(p)
        out.write_text(json.dumps(facts_of(p, targets), ensure_ascii=False, indent=0, sort_keys=True) + "\n")
        print(out.name, out.stat().st_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
