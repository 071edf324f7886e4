"""Inputs for the campaign tests: small APKs built here, slow and huge inputs, and test-only job functions.

The job functions are handed to ``ProcessBackend(job_fn=...)`` (a worker imports them by name); they behave like
``run_job`` except for apps whose file name says otherwise. They never run in the normal path.
"""

from __future__ import annotations

import json
import os
import signal
import time
import zipfile
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


def make_big_trace(path: Path, events: int) -> Path:
    """A valid apprights-trace/1 file of ``events`` events (the demo trace's events repeated, times shifted)."""
    lines = (DEMO / "trace-first-launch.jsonl").read_text(encoding="utf-8").splitlines()
    head, body = json.loads(lines[0]), [json.loads(x) for x in lines[1:] if x.strip()]
    span = max(float(e.get("t", 0)) for e in body) + 1.0
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(head) + "\n")
        n = 0
        rnd = 0
        while n < events:
            for e in body:
                e2 = dict(e)
                e2["t"] = round(float(e.get("t", 0)) + rnd * span, 3)
                fh.write(json.dumps(e2) + "\n")
                n += 1
            rnd += 1
    return path


def make_stored_apk(path: Path, package: str, dex_mb: int) -> Path:
    """A small APK plus a stored (uncompressed) ``classes2.dex`` of ``dex_mb`` MiB: reading it needs that much
    memory. Written in 1 MiB chunks, never held in memory here."""
    make_app(path, package)
    info = zipfile.ZipInfo("classes2.dex", date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    chunk = b"dex\n035\x00" + bytes((1 << 20) - 8)
    with zipfile.ZipFile(path, "a") as zf, zf.open(info, "w", force_zip64=True) as fh:
        for _ in range(dex_mb):
            fh.write(chunk)
    return path


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
