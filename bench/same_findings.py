"""Check that a speed change changed no result: the report and the facts of every shared APK, before and after.

    .venv/bin/python bench/same_findings.py record OUT_DIR          # this checkout's code
    PYTHONPATH=/tmp/old/src .venv/bin/python bench/same_findings.py record BEFORE_DIR   # an exported older copy
    .venv/bin/python bench/same_findings.py compare BEFORE_DIR OUT_DIR

``record`` scans every APK of ../shared/data/apks-cn and apks as ``apprights scan --format json`` does (all
rules, no other evidence, signatures verified as the CLI's default ``--verify-signature``) and writes, per APK, the JSON report without its ``timing`` field and the extracted
facts (container, manifest, code, SDKs) as JSON. ``compare`` checks the files byte for byte; exit 1 on any
difference, 2 when a directory is missing or empty.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("APPRIGHTS_SHARED", REPO.parent / "shared")).resolve() / "data"
CORPORA = ("apks-cn", "apks")


def record(out: Path) -> int:
    from apprights.engine.scan import ScanRequest, scan
    from apprights.errors import InputError
    from apprights.knowledge import Knowledge
    from apprights.model.facts import to_jsonable
    from apprights.reports.json_report import dumps

    knowledge = Knowledge.load()
    out.mkdir(parents=True, exist_ok=True)
    n = 0
    for corpus in CORPORA:
        for apk in sorted((SHARED / corpus).glob("*.apk")):
            stem = f"{corpus}__{apk.stem}"
            try:
                result = scan(ScanRequest(apk=apk, verify_signature=True), knowledge)
            except InputError as exc:
                (out / f"{stem}.error.txt").write_text(f"{exc}\n", encoding="utf-8")
                n += 1
                continue
            report = dict(result.report)
            report.pop("timing", None)
            (out / f"{stem}.report.json").write_text(dumps(report) + "\n", encoding="utf-8")
            f = result.facts
            facts = {"apk": f.apk, "manifest": f.manifest, "code": f.code, "sdks": f.sdks}
            text = json.dumps(to_jsonable(facts), ensure_ascii=False, indent=1, sort_keys=True)
            (out / f"{stem}.facts.json").write_text(text + "\n", encoding="utf-8")
            n += 1
    print(f"{n} APKs recorded in {out}")
    return 0


def compare(before: Path, after: Path) -> int:
    a = {p.name: p for p in before.glob("*.*")} if before.is_dir() else {}
    b = {p.name: p for p in after.glob("*.*")} if after.is_dir() else {}
    if not a or not b:
        print(f"nothing to compare: {before if not a else after} is missing or empty", file=sys.stderr)
        return 2
    differ = sorted(n for n in a.keys() & b.keys() if a[n].read_bytes() != b[n].read_bytes())
    only = sorted(a.keys() ^ b.keys())
    for n in differ:
        print(f"differs: {n}")
    for n in only:
        print(f"only in {'before' if n in a else 'after'}: {n}")
    same = len(a.keys() & b.keys()) - len(differ)
    print(f"{same} files identical, {len(differ)} differ, {len(only)} missing on one side")
    return 1 if differ or only else 0


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "record":
        return record(Path(argv[1]))
    if len(argv) == 3 and argv[0] == "compare":
        return compare(Path(argv[1]), Path(argv[2]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
