"""Where jobs run: in this process, in a process pool (per-APK timeout and memory cap), or on Ray."""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import resource
import signal
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any, Protocol

from apprights.batch.jobs import Job, JobTimeout, run_job
from apprights.errors import InputError
from apprights.reports.json_report import error_report

log = logging.getLogger(__name__)


@dataclass
class Limits:
    timeout_s: float = 300.0
    memory_mb: int = 2048


class Backend(Protocol):
    def run(self, jobs: Sequence[Job]) -> Iterator[dict[str, Any]]: ...


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise JobTimeout()


def _worker_init(memory_mb: int) -> None:
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        try:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):
            log.warning("could not set the memory limit of a worker")
    signal.signal(signal.SIGALRM, _on_alarm)


def _timed_job(job: Job, exodus: str | None, timeout_s: float) -> dict[str, Any]:
    signal.setitimer(signal.ITIMER_REAL, timeout_s)
    try:
        return run_job(job, exodus)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


@dataclass
class LocalBackend:
    exodus: str | None = None

    def run(self, jobs: Sequence[Job]) -> Iterator[dict[str, Any]]:
        for job in jobs:
            yield run_job(job, self.exodus)


@dataclass
class ProcessBackend:
    workers: int = 2
    limits: Limits | None = None
    exodus: str | None = None

    def run(self, jobs: Sequence[Job]) -> Iterator[dict[str, Any]]:
        limits = self.limits or Limits()
        pending = list(jobs)
        ctx = multiprocessing.get_context("forkserver")
        while pending:
            # A worker killed hard (segfault, OOM killer) breaks the pool: the jobs it held are reported
            # as failed and the pool is rebuilt for the rest.
            with cf.ProcessPoolExecutor(
                max_workers=self.workers, mp_context=ctx, initializer=_worker_init, initargs=(limits.memory_mb,)
            ) as pool:
                futures = {pool.submit(_timed_job, j, self.exodus, limits.timeout_s): j for j in pending}
                pending = []
                broken = False
                for fut in cf.as_completed(futures):
                    job = futures[fut]
                    try:
                        yield fut.result()
                    except cf.process.BrokenProcessPool:
                        if not broken:
                            broken = True
                        yield error_report("apk", job.apk, f"{job.apk}: worker process died (crash or memory)")
                    except Exception as exc:
                        yield error_report("apk", job.apk, f"{job.apk}: {type(exc).__name__}: {exc}")


@dataclass
class RayBackend:
    address: str = "auto"
    exodus: str | None = None
    limits: Limits | None = None

    def run(self, jobs: Sequence[Job]) -> Iterator[dict[str, Any]]:
        try:
            import ray  # optional: pip install ray
        except ImportError:
            raise InputError("--backend ray", "Ray is not installed (pip install 'ray[default]')") from None
        limits = self.limits or Limits()
        ray.init(address=None if self.address == "local" else self.address, ignore_reinit_error=True)
        remote = ray.remote(max_retries=0)(_timed_job)
        refs = {remote.remote(j, self.exodus, limits.timeout_s): j for j in jobs}
        waiting = list(refs)
        while waiting:
            done, waiting = ray.wait(waiting, num_returns=1)
            for ref in done:
                job = refs[ref]
                try:
                    yield ray.get(ref)
                except Exception as exc:
                    yield error_report("apk", job.apk, f"{job.apk}: {type(exc).__name__}: {exc}")
