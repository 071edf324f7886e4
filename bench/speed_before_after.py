"""Before/after of ``speed_static.py``, run back to back: ROUNDS alternations of the older code (an exported
copy, ``git archive <commit> | tar -x -C BEFORE``) and AFTER, best of N each, minimum per APK over the rounds.

Run: ``.venv/bin/python bench/speed_before_after.py ROUNDS N BEFORE_DIR AFTER_DIR [--scan] [apk ...]``

``--scan`` also compares ``apprights scan`` in the process (speed_static's last column); both sides then run
AFTER's ``speed_static.py``/``bench_static.py`` (the measuring code) on their own ``src`` (the code measured),
so an older copy without that column can be compared.
"""

import os
import re
import subprocess
import sys

R, N = int(sys.argv[1]), sys.argv[2]
BEFORE, AFTER = sys.argv[3], sys.argv[4]
with_scan = "--scan" in sys.argv[5:]
apks = [a for a in sys.argv[5:] if a != "--scan"]
res: dict[str, dict[str, tuple[str, float, float, float, float]]] = {"before": {}, "after": {}}
HERE = os.path.dirname(os.path.abspath(__file__))
env = dict(
    os.environ, APPRIGHTS_SHARED=os.environ.get("APPRIGHTS_SHARED", os.path.join(HERE, "..", "..", "shared"))
)
ROW = re.compile(r"\| (\S+\.apk) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \| [\d.]+x \|(?: ([\d.]+) \|)?")


def command(tree: str) -> list[str]:
    # with --scan, AFTER's measuring scripts run on TREE's src (bench_static reads APPRIGHTS_SRC)
    script = os.path.join(AFTER if with_scan else tree, "bench", "speed_static.py")
    return [sys.executable, script, N, *(["--scan"] if with_scan else []), *apks]


loads = []
for _round in range(R):
    for side, tree in (("before", BEFORE), ("after", AFTER)):
        loads.append(os.getloadavg()[0])
        run_env = dict(env, APPRIGHTS_SRC=os.path.join(tree, "src")) if with_scan else env
        out = subprocess.run(command(tree), capture_output=True, text=True, cwd=HERE, env=run_env).stdout
        for line in out.splitlines():
            m = ROW.match(line)
            if m:
                name, mb, fl, ou = m.group(1), m.group(2), float(m.group(3)), float(m.group(4))
                sc = float(m.group(5)) if m.group(5) else float("nan")
                old = res[side].get(name)
                res[side][name] = (
                    mb,
                    min(fl, old[1]) if old else fl,
                    min(ou, old[2]) if old else ou,
                    min(ou / fl, old[3]) if old else ou / fl,
                    min(sc, old[4]) if old else sc,
                )
print(f"load average (1 min) during the runs: {min(loads):.1f}-{max(loads):.1f}")
print(
    "| input | dex MB | floor ms (before / after run) | before ms | after ms | before / floor | after / floor |"
    + (" scan before ms | scan after ms |" if with_scan else "")
)
print("|---|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if with_scan else ""))
ra, rb = [], []
for name, (mb, fb, ob, _rb, sb) in res["before"].items():
    _, fa, oa, _ra, sa = res["after"][name]
    rb.append(ob / fb)
    ra.append(oa / fa)
    print(
        f"| {name} | {mb} | {fb:.1f} / {fa:.1f} | {ob:.1f} | {oa:.1f} | {ob / fb:.2f}x | {oa / fa:.2f}x |"
        + (f" {sb:.1f} | {sa:.1f} |" if with_scan else "")
    )
ra.sort()
rb.sort()
print(
    f"\nbefore: max {rb[-1]:.2f}x median {rb[len(rb) // 2]:.2f}x; after: max {ra[-1]:.2f}x median {ra[len(ra) // 2]:.2f}x"
)
