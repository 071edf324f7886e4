"""``apprights campaign run``: many apps, one report line each, a summary."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from apprights.cli.common import fail
from apprights.errors import InputError

app = typer.Typer(help="Campaigns over many apps / 批量检测.", no_args_is_help=True)


@app.command("run")
def run(
    source: Annotated[Path, typer.Argument(help="A directory of APKs, one APK, or a JSON-Lines job list.")],
    out: Annotated[Path, typer.Option("--out", help="Output directory (reports.jsonl, summary.json).")],
    backend: Annotated[str, typer.Option(help="local | process | ray")] = "process",
    workers: Annotated[int, typer.Option(help="Worker processes (process backend).")] = 2,
    resume: Annotated[bool, typer.Option("--resume", help="Skip apps already in OUT/reports.jsonl.")] = False,
    timeout: Annotated[
        float,
        typer.Option(help="Per-APK time limit in seconds (0 = none); a worker that does not stop is killed."),
    ] = 300.0,
    memory_mb: Annotated[
        int, typer.Option(help="Per-worker address-space cap in MB, process backend (0 = none).")
    ] = 2048,
    ray_address: Annotated[
        str,
        typer.Option(
            help="Ray backend: local (start Ray on this machine with --workers CPUs), auto (join the cluster "
            "`ray start --head` runs here) or ray://HOST:10001."
        ),
    ] = "local",
    exodus: Annotated[
        Path | None, typer.Option(help="Also detect the trackers of this Exodus JSON file.")
    ] = None,
) -> None:
    """Scan many apps; progress on stderr; one report line per app in OUT/reports.jsonl."""
    from apprights.batch.backends import (
        RAY_MISSING,
        Limits,
        LocalBackend,
        ProcessBackend,
        RayBackend,
        ray_available,
    )
    from apprights.batch.campaign import CampaignSummary, run_campaign
    from apprights.batch.jobs import discover_jobs

    if backend not in ("local", "process", "ray"):
        fail(f"--backend {backend!r}: expected local, process or ray")
    if backend == "ray" and not ray_available():
        fail(f"--backend ray: {RAY_MISSING}")
    if backend != "ray" and ray_address != "local":
        fail(f"--ray-address {ray_address!r} needs --backend ray")
    if workers < 1:
        fail("--workers must be at least 1")
    if timeout < 0 or timeout != timeout:
        fail("--timeout must be a number of seconds >= 0 (0 = no limit)")
    if memory_mb < 0:
        fail("--memory-mb must be >= 0 (0 = no cap)")
    if exodus is not None:
        if not exodus.is_file():
            fail(f"{exodus}: Exodus tracker file not found")
        from apprights.knowledge import Knowledge

        try:  # once here, so a bad file is one line now rather than an error on every app later
            Knowledge.load(exodus_file=exodus)
        except InputError as exc:
            fail(str(exc))
        except (ValueError, KeyError, OSError, TypeError, AttributeError, RecursionError) as exc:
            fail(f"{exodus}: cannot read Exodus tracker file: {type(exc).__name__}: {str(exc)[:200]}")
    if out.exists() and not out.is_dir():
        fail(f"{out}: exists and is not a directory")
    try:
        jobs = discover_jobs(source)
    except InputError as exc:
        fail(str(exc))
    if not jobs:
        fail(f"{source}: no APKs found")
    limits = Limits(timeout_s=timeout, memory_mb=memory_mb)
    ex = str(exodus) if exodus else None
    be: LocalBackend | ProcessBackend | RayBackend
    if backend == "local":
        be = LocalBackend(exodus=ex, limits=limits)
    elif backend == "process":
        be = ProcessBackend(workers=workers, limits=limits, exodus=ex)
    else:
        be = RayBackend(address=ray_address, exodus=ex, limits=limits, workers=workers)

    tty = sys.stderr.isatty()

    def progress(n: int, total: int, s: CampaignSummary) -> None:
        line = f"[{n}/{total}] findings {s.findings} failed {s.failed}"
        if tty:  # one line, rewritten in place
            typer.echo("\r" + line, err=True, nl=n == total)
        elif n == total or n % max(1, total // 100) == 0:  # a log file: about 100 lines per campaign
            typer.echo(line, err=True)

    try:
        summary = run_campaign(jobs, out, be, resume=resume, progress=progress)
    except InputError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"{out}: campaign stopped: {exc.strerror or exc}")
    typer.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    if summary.reported and summary.failed == summary.reported:
        fail(f"every app failed ({summary.failed} of {summary.reported}); see {out / 'reports.jsonl'}")
