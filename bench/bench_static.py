"""Static-scan benchmark: our dex extractor vs the physical floor, androguard and exodus-core.

Run: ``.venv/bin/python bench/bench_static.py`` (offline; about 3-5 minutes on 2 cores, androguard dominates).

Inputs: every APK in ../shared/data/apks plus a "super-app" built here from distinct real ``classes.dex`` files
of the shared corpus (bench/_work/superapp.apk, gitignored). For each input:

(a) floor     inflate every classes*.dex and read the id tables with numpy
(b) ours      apprights' code scan: open_apk + manifest + extract_code (the dex extractor with the engine's
              configuration: entry calls and the reachability search)
(c) scan      what ``apprights scan --format json APK`` does in the process: the engine's ``scan`` with the CLI's
              default ``--verify-signature`` (v1/v2/v3 digests and signatures), the APK container facts, SDK
              detection, every rule and the report (interpreter start and imports excluded; see (f))
(d) androguard AnalyzeAPK + find_methods/get_xref_from for the same APIs
(e) exodus    exodus-core's tracker scan (dexdump + class-name regexes from the local exodus_trackers.json):
              the real package in bench/_work/venv-exodus when it is installed there, else the same algorithm
              re-implemented below. Without dexdump the benchmark stops (it used to print ``nan``).
(f) whole process, for one small APK (WHOLE_SMALL) and the super-app: ``apprights scan --format json`` and a
              script running (d), each as its own process from interpreter start to exit: CPU time and peak RSS
              (best of 2, bytecode caches written as a user's install has them).

The super-app is signed with apksigner (v1 + v2, throw-away key) when keytool and apksigner are installed, so
(c) verifies its signatures as it would a real APK's.

Prints a table (also written to bench/RESULTS-static.md) with times, ratios and peak RSS of the super-app scans.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import resource
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import textwrap
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / "_work"
SHARED = Path(os.environ.get("APPRIGHTS_SHARED", REPO.parent / "shared")).resolve() / "data"
SUPERAPP = WORK / "superapp.apk"
EXODUS_VENV = WORK / "venv-exodus"
TRACKERS = SHARED / "sdk" / "exodus_trackers.json"
RESULTS = BENCH / "RESULTS-static.md"
DEX_RE = re.compile(r"^classes(\d*)\.dex$")
SUPER_MIN_BYTES = 20 * 1024 * 1024
SUPER_MIN_DEX = 10
REPEAT = 5
SCAN_REPEAT = 3
WHOLE_SMALL = "droidbench__Button1.apk"
CLI = "import sys; from apprights.cli.main import main; sys.argv[0] = 'apprights'; main()"

# APPRIGHTS_SRC: measure another copy of the code with these measuring scripts (speed_before_after.py --scan)
sys.path.insert(0, os.environ.get("APPRIGHTS_SRC", str(REPO / "src")))

from apprights.engine.scan import ScanRequest, scan  # noqa: E402
from apprights.errors import InputError  # noqa: E402
from apprights.extractors.apk import open_apk  # noqa: E402
from apprights.extractors.dex import DexTargets, entry_classes_of, extract_code, reach_roots_of  # noqa: E402
from apprights.knowledge import Knowledge  # noqa: E402
from apprights.testing.apkbuilder import sign_apk, signing_tools_available  # noqa: E402


def build_superapp() -> tuple[int, int, int, bool]:
    """Pack distinct real dex files (largest first) until >= 20 MiB and >= 10 files, then sign the APK when the
    tools are there. Returns (files, bytes, repeats, signed): repeats counts dex files reused under a second
    name, needed only if distinct ones run out."""
    sources = sorted((SHARED / "apks").glob("*.apk")) + sorted((SHARED / "droidbench-dev").glob("*/*.apk"))
    seen: dict[str, tuple[int, Path, str]] = {}
    for p in sources:
        try:
            with zipfile.ZipFile(p) as z:
                for info in z.infolist():
                    if DEX_RE.match(info.filename):
                        h = hashlib.sha256(z.read(info)).hexdigest()
                        seen.setdefault(h, (info.file_size, p, info.filename))
        except zipfile.BadZipFile:
            continue
    chosen = sorted(seen.values(), key=lambda t: -t[0])
    picked: list[tuple[int, Path, str]] = []
    total = 0
    for item in chosen:
        if total >= SUPER_MIN_BYTES and len(picked) >= SUPER_MIN_DEX:
            break
        picked.append(item)
        total += item[0]
    repeats = 0
    while total < SUPER_MIN_BYTES or len(picked) < SUPER_MIN_DEX:  # only if the corpus is too small
        picked.append(chosen[repeats % len(chosen)])
        total += chosen[repeats % len(chosen)][0]
        repeats += 1
    WORK.mkdir(parents=True, exist_ok=True)
    manifest_src = SHARED / "apks" / "exodus-core__blooddonation.apk"
    with zipfile.ZipFile(SUPERAPP, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
        with zipfile.ZipFile(manifest_src) as z:
            out.writestr("AndroidManifest.xml", z.read("AndroidManifest.xml"))
            if "resources.arsc" in z.namelist():
                out.writestr("resources.arsc", z.read("resources.arsc"))
        for i, (_size, p, name) in enumerate(picked):
            with zipfile.ZipFile(p) as z:
                out.writestr("classes.dex" if i == 0 else f"classes{i + 1}.dex", z.read(name))
    signed = signing_tools_available()
    if signed:
        sign_apk(SUPERAPP, key_dir=WORK)
    return len(picked), total, repeats, signed


def _dex_of(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as z:
        return [(n, z.read(n)) for n in z.namelist() if DEX_RE.match(n)]


def floor(path: Path) -> int:
    """Inflate all dex and touch every id table: the least any dex scan must do."""
    n = 0
    for _name, data in _dex_of(path):
        if len(data) < 0x70:
            continue
        f = struct.unpack_from("<20I", data, 0x20)
        for size, off, item in ((f[6], f[7], 4), (f[8], f[9], 4), (f[10], f[11], 12), (f[12], f[13], 8),
                                (f[14], f[15], 8), (f[16], f[17], 32)):  # fmt: skip
            if size and off + size * item <= len(data):
                n += int(np.frombuffer(data, dtype="<u4", count=size * item // 4, offset=off).max())
    return n


def ours(path: Path, targets: DexTargets) -> int:
    """The code scan as the engine configures it: with the manifest, also entry calls and the reachability
    search."""
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
    except Exception:  # an APK the apk extractor refuses (e.g. the deliberately invalid one): dex only
        code = extract_code(_dex_of(path), targets)
    return len(code.call_sites)


def user_scan(path: Path, knowledge: Knowledge) -> int:
    """``apprights scan --format json APK`` without interpreter start: signatures verified (the CLI default),
    all rules, the report. An APK the engine refuses counts the time it takes to refuse it, as a user sees."""
    try:
        result = scan(ScanRequest(apk=path, verify_signature=True), knowledge)
    except InputError:
        return -1
    return len(result.report["findings"])


def androguard_scan(path: Path, pairs: list[tuple[str, str]]) -> int:
    from androguard.misc import AnalyzeAPK
    from loguru import logger

    logger.remove()
    _a, _d, dx = AnalyzeAPK(str(path))
    sites = set()
    for desc, name in pairs:
        for m in dx.find_methods(classname=re.escape(desc), methodname=f"^{re.escape(name)}$"):
            for cls, meth, _off in m.get_xref_from():
                sites.add((cls.name, meth.name, name))
    return len(sites)


EXODUS_DRIVER = textwrap.dedent(
    """
    import json, sys, time, logging, resource
    from collections import namedtuple
    logging.disable(logging.CRITICAL)
    from exodus_core.analysis.static_analysis import StaticAnalysis
    data = json.load(open(sys.argv[1]))["trackers"]
    sigs = [namedtuple("tracker", t.keys())(*t.values()) for t in data.values()]
    def cpu():
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + r.ru_utime + r.ru_stime
    for path in sys.argv[2:]:
        t = cpu()
        try:
            sa = StaticAnalysis(path)
            sa.signatures = sigs  # exodus downloads these; here they come from the local file, untimed
            sa._compile_signatures()
            found = [x.name for x in sa.detect_trackers()]
            err = ""
        except Exception as e:
            found, err = [], repr(e)[:80]
        dt = cpu() - t
        print(json.dumps({"path": path, "seconds": dt, "trackers": found, "error": err}), flush=True)
    """
)


def exodus_real(paths: list[Path]) -> dict[str, float] | None:
    py = EXODUS_VENV / "bin" / "python"
    if not py.exists():
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(EXODUS_DRIVER)
        driver = f.name
    try:
        proc = subprocess.run(
            [str(py), driver, str(TRACKERS), *map(str, paths)], capture_output=True, text=True, timeout=3600
        )
    finally:
        os.unlink(driver)
    out: dict[str, float] = {}
    for line in proc.stdout.splitlines():
        with contextlib.suppress(ValueError):
            r = json.loads(line)
            if not r["error"]:
                out[r["path"]] = r["seconds"]
    return out or None


def exodus_reimpl(path: Path, compiled: list[re.Pattern[str]]) -> int:
    """exodus-core's algorithm: dexdump every classes*.dex, regex the class names, search each signature."""
    classes: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if re.search(r"classes.*\.dex", info.filename):
                z.extract(info, tmp)
                run = subprocess.check_output(["dexdump", f"{tmp}/{info.filename}"])
                classes |= set(re.findall(r"[A-Z]+((?:\w+\/)+\w+)", run.decode(errors="ignore")))
    return sum(1 for sig in compiled if any(sig.search(c) for c in classes))


def cpu_seconds() -> float:
    """CPU time of this process and of its waited-for children (dexdump): the machine is shared, so wall
    time would mostly measure the other tenants."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + r.ru_utime + r.ru_stime


def best_of(fn: Callable[[], object], n: int) -> float:
    times = []
    for _ in range(n):
        t = cpu_seconds()
        fn()
        times.append(cpu_seconds() - t)
    return min(times)


# Runs a command in a grandchild and prints its CPU seconds and peak RSS. A child's ru_maxrss starts from the
# peak RSS of the process that spawned it (Linux carries it over fork/vfork + exec), so the command is started
# from this small launcher, not from the benchmark, which holds androguard's gigabytes by then.
LAUNCHER = textwrap.dedent(
    """
    import resource, subprocess, sys
    subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(r.ru_utime + r.ru_stime, r.ru_maxrss / 1024)
    """
)


def whole_process(argv: list[str]) -> tuple[float, float]:
    """(CPU seconds, peak RSS in MB) of ``argv`` run as its own process, interpreter start to exit. Bytecode
    caches are allowed (a PYTHONDONTWRITEBYTECODE environment would recompile every module at each start)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *argv], check=True, cwd=REPO, capture_output=True, text=True, env=env
    ).stdout.split()
    return float(out[0]), float(out[1])


def whole_pair(apk: Path) -> tuple[tuple[float, float], tuple[float, float]]:
    """Whole-process (CPU s, peak RSS MB) of ``apprights scan --format json APK`` and of androguard on it; best
    of 2 (the first ``apprights`` run may write bytecode caches)."""
    cli = [sys.executable, "-c", CLI, "scan", "--format", "json", "--fail-on", "none", "--output", os.devnull]
    ours = min(whole_process([*cli, str(apk)]) for _ in range(2))
    ag_code = (
        "import sys; sys.path.insert(0, 'src'); sys.path.insert(0, 'bench'); import bench_static as b; "
        f"b.androguard_scan(b.Path({str(apk)!r}), b.sensitive_pairs())"
    )
    ag = min(whole_process([sys.executable, "-c", ag_code]) for _ in range(2))
    return ours, ag


def peak_rss_child(code: str) -> float:
    """Peak RSS (MB) of a Python process running ``code``."""
    return whole_process([sys.executable, "-c", code])[1]


def timed_or_failed(name: str, tool: str, fn: Callable[[], object], n: int, failures: list[str]) -> float:
    """Best-of-n CPU time; a tool that fails is reported on stderr, listed under the table and makes the run
    exit 1 (no silent ``nan``)."""
    try:
        return best_of(fn, n)
    except Exception as exc:
        failures.append(f"{tool} on {name}: {type(exc).__name__}: {str(exc)[:120]}")
        print(f"  FAILED: {failures[-1]}", file=sys.stderr, flush=True)
        return float("nan")


def main() -> int:
    if shutil.which("dexdump") is None and not (EXODUS_VENV / "bin" / "python").exists():
        print(
            "bench_static: dexdump not found, so the exodus comparison cannot run (apt-get install dexdump, "
            "or make system-deps)",
            file=sys.stderr,
        )
        return 2
    files, total, repeats, signed = build_superapp()
    knowledge = Knowledge.load()
    pairs = sorted(knowledge.sensitive_apis.targets())
    targets = DexTargets.from_catalogue(knowledge.sensitive_apis)  # as the engine: arguments, reflection
    inputs = [*sorted((SHARED / "apks").glob("*.apk")), SUPERAPP]
    print(
        f"super-app: {files} distinct real dex files, {total / 1e6:.1f} MB of dex, {repeats} repeated, "
        f"{'signed' if signed else 'unsigned (no keytool/apksigner)'}",
        flush=True,
    )
    print(f"targets: {len(pairs)} sensitive APIs (catalogue {knowledge.sensitive_apis.version})", flush=True)
    load = [os.getloadavg()[0]]
    rss_ours = peak_rss_child(
        "import sys; sys.path.insert(0, 'src'); sys.path.insert(0, 'bench');"
        "import bench_static as b; from apprights.knowledge import Knowledge;"
        "from apprights.extractors.dex import DexTargets;"
        "b.ours(b.SUPERAPP, DexTargets.from_catalogue(Knowledge.load().sensitive_apis))"
    )
    compiled = []
    trackers = json.loads(TRACKERS.read_text(encoding="utf-8"))["trackers"]
    for t in trackers.values():
        if len(t["code_signature"]) > 3:
            compiled.append(re.compile(t["code_signature"]))
    exodus_times = exodus_real(inputs)
    exodus_kind = "exodus-core 1.3 (own venv)" if exodus_times else "exodus algorithm re-implemented"
    rows = []
    failures: list[str] = []
    refused: list[str] = []
    for path in inputs:
        dex_bytes = sum(len(d) for _, d in _dex_of(path))
        if user_scan(path, knowledge) < 0:  # also the warm-up: first-use caches of the rules and the report
            refused.append(path.name)
        t_floor = best_of(lambda p=path: floor(p), REPEAT)
        t_ours = best_of(lambda p=path: ours(p, targets), REPEAT)
        t_scan = best_of(lambda p=path: user_scan(p, knowledge), SCAN_REPEAT)
        t_ag = timed_or_failed(path.name, "androguard", lambda p=path: androguard_scan(p, pairs), 1, failures)
        if exodus_times and str(path) in exodus_times:
            t_ex = exodus_times[str(path)]
        else:
            t_ex = timed_or_failed(
                path.name, "exodus", lambda p=path: exodus_reimpl(p, compiled), 1, failures
            )
        rows.append((path.name, dex_bytes, t_floor, t_ours, t_scan, t_ag, t_ex))
        print(f"  {path.name}: floor {t_floor * 1e3:.1f} ms, ours {t_ours * 1e3:.1f} ms, scan {t_scan * 1e3:.1f} ms, "
              f"androguard {t_ag:.2f} s, exodus {t_ex:.2f} s", flush=True)  # fmt: skip
        load.append(os.getloadavg()[0])
    whole = {p.name: whole_pair(p) for p in (SHARED / "apks" / WHOLE_SMALL, SUPERAPP)}
    load.append(os.getloadavg()[0])
    (WORK / "bench_static_rows.json").write_text(json.dumps(rows), encoding="utf-8")
    table = render(
        rows,
        rss_ours,
        whole,
        (files, total, repeats, signed),
        len(pairs),
        exodus_kind,
        failures,
        load,
        refused,
    )
    print(table)
    RESULTS.write_text(table, encoding="utf-8")
    return 1 if failures else 0


def sensitive_pairs() -> list[tuple[str, str]]:
    return sorted(Knowledge.load().sensitive_apis.targets())


def _f(v: float, fmt: str, suffix: str = "") -> str:
    return "failed" if v != v else f"{v:{fmt}}{suffix}"  # NaN: the tool failed (listed under the table)


def render(
    rows: list[tuple[str, int, float, float, float, float, float]],
    rss_ours: float,
    whole: dict[str, tuple[tuple[float, float], tuple[float, float]]],
    superapp: tuple[int, int, int, bool],
    n_targets: int,
    exodus_kind: str,
    failures: list[str],
    load: list[float],
    refused: list[str],
) -> str:
    files, total, repeats, signed = superapp
    buf = io.StringIO()
    w = buf.write
    w("# Static scan benchmark (bench/bench_static.py)\n\n")
    w(
        f"Machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, numpy {np.__version__}; load average "
    )
    w(
        f"(1 min) {min(load):.1f}-{max(load):.1f} during the run. Targets: {n_targets} sensitive APIs. Times are "
    )
    w("CPU time (process + children such as dexdump; the machine is shared with other jobs, so wall time is ")
    w(
        f"noisy): best of {REPEAT} for floor and ours, best of {SCAN_REPEAT} for scan, one run for androguard and "
    )
    w(f"exodus ({exodus_kind}: dexdump + tracker class regexes).\n\n")
    w(
        "- **ours**: the code scan (open the APK, manifest, `extract_code` with entry calls and reachability).\n"
    )
    w("- **scan**: what `apprights scan --format json` does in the process: signature verification (the CLI ")
    w("default), container facts, code scan, SDK detection, every rule, the report.\n")
    w(f"- Super-app: {files} distinct real dex files from the shared corpus, {total / 1e6:.1f} MB of dex")
    w(f"{f', {repeats} repeated under new names' if repeats else ', none repeated'}, ")
    w(f"{'signed with apksigner (v1 + v2)' if signed else 'unsigned'}.\n")
    if refused:
        w(
            f"- `apprights scan` refuses {', '.join(refused)} (bad input, exit 2); its scan time is the time to say so.\n"
        )
    w("\n")
    w("| input | dex MB | floor ms | ours ms | scan ms | androguard s | exodus s | ag/ours | ag/scan | "
      "exodus/ours | ours/floor |\n")  # fmt: skip
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
    for name, size, fl, ou, sc, a, ex in rows:
        w(f"| {name} | {size / 1e6:.2f} | {fl * 1e3:.1f} | {ou * 1e3:.1f} | {sc * 1e3:.1f} | {_f(a, '.2f')} | "
          f"{_f(ex, '.2f')} | {_f(a / ou, '.0f', 'x')} | {_f(a / sc, '.0f', 'x')} | {_f(ex / ou, '.1f', 'x')} | "
          f"{ou / fl:.2f}x |\n")  # fmt: skip
    tot = [sum(r[i] for r in rows[:-1]) for i in range(2, 7)]
    fl, ou, sc, a, ex = tot
    w(f"| **all shared APKs (sum)** | {sum(r[1] for r in rows[:-1]) / 1e6:.2f} | {fl * 1e3:.1f} | "
      f"{ou * 1e3:.1f} | {sc * 1e3:.1f} | {_f(a, '.2f')} | {_f(ex, '.2f')} | {_f(a / ou, '.0f', 'x')} | "
      f"{_f(a / sc, '.0f', 'x')} | {_f(ex / ou, '.1f', 'x')} | {ou / fl:.2f}x |\n")  # fmt: skip
    sup = rows[-1]
    w("\nTargets: androguard/ours >= 30x, exodus/ours >= 3x, ours/floor <= 3x, peak RSS <= 250 MB.\n\n")
    w(f"Super-app: androguard/ours {_f(sup[5] / sup[3], '.0f', 'x')}, androguard/scan ")
    w(f"{_f(sup[5] / sup[4], '.0f', 'x')}, exodus/ours {_f(sup[6] / sup[3], '.1f', 'x')}, exodus/scan ")
    w(f"{_f(sup[6] / sup[4], '.1f', 'x')}, ours/floor {sup[3] / sup[2]:.2f}x.\n")
    w("\nWhole process, interpreter start to exit (CPU s, peak RSS MB; `apprights scan --format json` vs a ")
    w("script running androguard's analysis):\n\n")
    w("| input | apprights s | apprights MB | androguard s | androguard MB | androguard/apprights |\n")
    w("|---|---:|---:|---:|---:|---:|\n")
    for name, ((c_s, c_mb), (a_s, a_mb)) in whole.items():
        w(f"| {name} | {c_s:.2f} | {c_mb:.0f} | {a_s:.2f} | {a_mb:.0f} | {a_s / c_s:.1f}x |\n")
    w("\n")
    w(f"Peak RSS of the code scan (ours) of the super-app in its own process: {rss_ours:.0f} MB.\n")
    ratios = [r[3] / r[2] for r in rows]
    w(f"Median ours/floor over all inputs: {statistics.median(ratios):.2f}x.\n")
    misses = [
        f"{r[0]} ({r[1] / 1e3:.0f} KB of dex)"
        for r in rows
        if not (r[5] / r[3] >= 30 and r[6] / r[3] >= 3 and r[3] / r[2] <= 3)
    ]
    if misses:
        w(f"\nInputs missing a target ({len(misses)}): {', '.join(misses)}. ")
        w(
            "Most have so little dex that fixed per-APK costs (opening the zip, parsing the manifest, the numpy "
        )
        w("calls per dex) dominate, and androguard itself finishes in milliseconds.\n")
    if failures:
        w(f"\n**Tool failures ({len(failures)}; their cells say `failed`):** {'; '.join(failures)}.\n")
    return buf.getvalue()


if __name__ == "__main__":
    raise SystemExit(main())
