"""Inputs for the campaign tests: small APKs built here, slow and huge inputs, and test-only job functions.

The job functions are handed to ``ProcessBackend(job_fn=...)`` (a worker imports them by name); they behave like
``run_job`` except for apps whose file name says otherwise. They never run in the normal path.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import struct
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any

from apprights.batch.jobs import Job, run_job
from apprights.testing.apkbuilder import build_apk
from apprights.testing.dexwriter import Code, DexClass, write_dex

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "samples" / "demo"
NEWS_APK = DEMO / "news-5.2.0.apk"

IMEI = "Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;"


def manifest(package: str, *perms: str) -> str:
    uses = "".join(f'<uses-permission android:name="{p}"/>' for p in perms)
    return (
        f'<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="{package}">'
        f'<uses-sdk android:minSdkVersion="21" android:targetSdkVersion="22"/>{uses}<application/></manifest>'
    )


def make_app(path: Path, package: str) -> Path:
    """A small APK: targetSdk 22, READ_PHONE_STATE + CAMERA (unused), app code reading the IMEI."""
    code = Code().invoke_virtual(IMEI, [1]).move_result_object(0).return_void()
    cls = DexClass(f"{package}.Main")
    cls.add_method("readId", "(Landroid/telephony/TelephonyManager;)V", code=code)
    perms = ("android.permission.READ_PHONE_STATE", "android.permission.CAMERA")
    return build_apk(path, manifest(package, *perms), [write_dex([cls])])


SLOW_TRACE_EVENTS = 200_000  # several seconds of trace analysis: far above the time limits the tests set


def make_big_trace(path: Path, events: int = SLOW_TRACE_EVENTS) -> Path:
    """A valid apprights-trace/1 file of ``events`` events (the demo trace's events repeated, times shifted).
    Each event is serialised once with a placeholder time, so even 200,000 events take well under a second."""
    lines = (DEMO / "trace-first-launch.jsonl").read_text(encoding="utf-8").splitlines()
    head, body = json.loads(lines[0]), [json.loads(x) for x in lines[1:] if x.strip()]
    span = max(float(e.get("t", 0)) for e in body) + 1.0
    templates = [(float(e.get("t", 0)), json.dumps({**e, "t": "@T@"}).replace('"@T@"', "@T@")) for e in body]
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(head) + "\n")
        n = rnd = 0
        while n < events:
            base = rnd * span
            chunk = [tpl.replace("@T@", repr(round(t + base, 3)), 1) for t, tpl in templates[: events - n]]
            fh.write("\n".join(chunk) + "\n")
            n += len(chunk)
            rnd += 1
    return path


def make_stored_apk(path: Path, package: str, dex_mb: int) -> Path:
    """A small APK plus a stored (uncompressed) ``classes2.dex`` of ``dex_mb`` MiB of zero bytes: reading it needs
    that much memory. The entry's data is a hole in a sparse file: instant to make, no disk used."""
    make_app(path, package)
    size = dex_mb << 20
    crc, chunk = 0, bytes(1 << 20)
    for _ in range(dex_mb):
        crc = zlib.crc32(chunk, crc)
    with zipfile.ZipFile(path) as zf:
        entries = [(i, zf.read(i)) for i in zf.infolist()]
    name = b"classes2.dex"
    with path.open("wb") as fh:
        central = b""
        for info, data in entries:  # the small entries, stored
            off = fh.tell()
            n = info.filename.encode()
            c = zlib.crc32(data)
            fh.write(
                struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 0, 0, 0, c, len(data), len(data), len(n), 0)
            )
            fh.write(n + data)
            central += struct.pack(
                "<4s6H3I5H2I",
                b"PK\x01\x02",
                20,
                20,
                0,
                0,
                0,
                0,
                c,
                len(data),
                len(data),
                len(n),
                0,
                0,
                0,
                0,
                0,
                off,
            )
            central += n
        off = fh.tell()
        fh.write(
            struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 0, 0, 0, crc, size, size, len(name), 0) + name
        )
        fh.seek(size, os.SEEK_CUR)  # the zeros: a hole
        central += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, crc, size, size, len(name), 0, 0,
                               0, 0, 0, off) + name  # fmt: skip
        cd = fh.tell()
        k = len(entries) + 1
        fh.write(central + struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, k, k, len(central), cd, 0))
    return path


def worker_vm_mb(job: Job, exodus: str | None) -> dict[str, Any]:
    """A job function reporting the worker's address-space size (MiB) after its warm-up, instead of scanning."""
    status = Path("/proc/self/status").read_text(encoding="ascii")
    kb = int(next(x for x in status.splitlines() if x.startswith("VmSize:")).split()[1])
    return {"job": job.to_dict(), "vm_mb": kb // 1024, "findings": [], "errors": []}


def crash_on_name(job: Job, exodus: str | None) -> dict[str, Any]:
    """``run_job``, except that an app whose name contains ``crash`` kills its worker with SIGKILL."""
    if "crash" in Path(job.apk).name:
        os.kill(os.getpid(), signal.SIGKILL)
    return run_job(job, exodus)


def stuck_on_name(job: Job, exodus: str | None) -> dict[str, Any]:
    """``run_job``, except that an app whose name contains ``stuck`` blocks SIGALRM and never returns (like a
    scan stuck in C code): only the hard kill can stop it."""
    if "stuck" in Path(job.apk).name:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(600)
    return run_job(job, exodus)


HEADROOM_MB = 150  # what a normal small app may use above a warmed-up worker's size
HUGE_DEX_MB = 300  # what the huge test APK needs: well above the headroom


@functools.cache
def memory_cap_mb() -> int:
    """A per-worker memory cap that lets small apps through and stops the huge one, measured on this machine
    (a worker's address space after warm-up differs between machines)."""
    from apprights.batch.backends import Limits, ProcessBackend

    (rep,) = ProcessBackend(workers=1, limits=Limits(timeout_s=60, memory_mb=0), job_fn=worker_vm_mb).run(
        [Job(apk="measure.apk")]
    )
    return int(rep["vm_mb"]) + HEADROOM_MB
