"""Before/after of ``speed_static.py``, run back to back: ROUNDS alternations of the older code (an exported
copy, ``git archive <commit> | tar -x -C BEFORE``) and AFTER, best of N each, minimum per APK over the rounds.

Run: ``.venv/bin/python bench/speed_before_after.py ROUNDS N BEFORE_DIR AFTER_DIR [apk ...]``
"""

import os
import re
import subprocess
import sys

R, N = int(sys.argv[1]), sys.argv[2]
BEFORE, AFTER = sys.argv[3], sys.argv[4]
apks = sys.argv[5:]
res = {"before": {}, "after": {}}
HERE = os.path.dirname(os.path.abspath(__file__))
env = dict(
    os.environ, APPRIGHTS_SHARED=os.environ.get("APPRIGHTS_SHARED", os.path.join(HERE, "..", "..", "shared"))
)
cmds = {
    side: [sys.executable, os.path.join(d, "bench", "speed_static.py"), N, *apks]
    for side, d in (("before", BEFORE), ("after", AFTER))
}
loads = []
for _round in range(R):
    for side in ("before", "after"):
        loads.append(os.getloadavg()[0])
        out = subprocess.run(cmds[side], capture_output=True, text=True, cwd=HERE, env=env).stdout
        for line in out.splitlines():
            m = re.match(r"\| (\S+\.apk) \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|", line)
            if m:
                name, mb, fl, ou = m.group(1), m.group(2), float(m.group(3)), float(m.group(4))
                old = res[side].get(name)
                res[side][name] = (
                    mb,
                    min(fl, old[1]) if old else fl,
                    min(ou, old[2]) if old else ou,
                    min(ou / fl, old[3]) if old else ou / fl,
                )
print(f"load average (1 min) during the runs: {min(loads):.1f}-{max(loads):.1f}")
print(
    "| input | dex MB | floor ms (before / after run) | before ms | after ms | before / floor | after / floor |"
)
print("|---|---:|---:|---:|---:|---:|---:|")
ra, rb = [], []
for name, (mb, fb, ob, _rb) in res["before"].items():
    _, fa, oa, _ra = res["after"][name]
    rb.append(ob / fb)
    ra.append(oa / fa)
    print(f"| {name} | {mb} | {fb:.1f} / {fa:.1f} | {ob:.1f} | {oa:.1f} | {ob / fb:.2f}x | {oa / fa:.2f}x |")
ra.sort()
rb.sort()
print(
    f"\nbefore: max {rb[-1]:.2f}x median {rb[len(rb) // 2]:.2f}x; after: max {ra[-1]:.2f}x median {ra[len(ra) // 2]:.2f}x"
)
