"""Where jobs run: in this process, in worker processes (per-APK timeout and memory cap), or on Ray.

The process backend runs its own small pool: one pipe per worker, one job at a time per worker, so the parent
always knows which app a worker holds. A job over its time limit is interrupted inside the worker (SIGALRM) and
reported; a worker that does not come back within a grace period is killed. A worker that dies (segfault, OOM
killer, ``kill -9``) costs exactly the app it held: that app is reported and a fresh worker takes its place.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import resource
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from types import FrameType
from typing import Any, Protocol

from apprights.batch.jobs import Job, JobTimeout, run_job, warm_up
from apprights.errors import InputError
from apprights.reports.json_report import error_report

log = logging.getLogger(__name__)

JobFn = Callable[[Job, str | None], dict[str, Any]]
"""The function a worker runs for one job (``run_job``; tests may pass another top-level function)."""


@dataclass
class Limits:
    timeout_s: float = 300.0
    memory_mb: int = 2048
    grace_s: float = 5.0  # a worker that has not answered timeout_s + grace_s after its job started is killed


class Backend(Protocol):
    def run(self, jobs: Sequence[Job]) -> Iterator[dict[str, Any]]: ...


def failed_report(job: Job, problem: str, *, total_s: float = 0.0) -> dict[str, Any]:
    """The report line of an app that could not be scanned (carries the job so a resume can skip it)."""
    report = error_report("apk", job.apk, f"{job.apk}: {problem}", total_s=total_s)
    report["job"] = job.to_dict()
    return report


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise JobTimeout()


def _set_memory_limit(memory_mb: int) -> None:
    if memory_mb <= 0:
        return
    limit = memory_mb * 1024 * 1024
    try:
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        log.warning("could not set the memory limit of a worker")


def timed_job(job: Job, exodus: str | None, timeout_s: float, job_fn: JobFn = run_job) -> dict[str, Any]:
    """Run one job under a SIGALRM time limit (main thread only; elsewhere the job runs unlimited)."""
    started = time.perf_counter()
    use_alarm = timeout_s > 0 and threading.current_thread() is threading.main_thread()
    previous: Any = None
    outer = (0.0, 0.0)
    if use_alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        # Repeat every 0.25 s after the first alarm: Python swallows an exception raised while a weakref
        # callback or __del__ runs ("Exception ignored in …"), so one alarm can be lost; the next one lands.
        outer = signal.setitimer(signal.ITIMER_REAL, timeout_s, 0.25)
    try:
        try:
            return job_fn(job, exodus)
        finally:
            if use_alarm:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
                if outer[0] > 0:  # someone else's timer was running (e.g. pytest-timeout): put it back
                    left = max(0.001, outer[0] - (time.perf_counter() - started))
                    signal.setitimer(signal.ITIMER_REAL, left, outer[1])
    except JobTimeout:  # fired outside the job's own handler (e.g. while loading the knowledge)
        return failed_report(
            job, f"time limit exceeded ({timeout_s:g} s)", total_s=time.perf_counter() - started
        )
    except MemoryError:
        return failed_report(job, "memory limit exceeded", total_s=time.perf_counter() - started)


def _worker_main(
    conn: Connection, memory_mb: int, timeout_s: float, exodus: str | None, job_fn: JobFn
) -> None:
    """A worker: memory cap, warm-up (knowledge, rules), then jobs from the pipe until it closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    logging.getLogger().addHandler(logging.NullHandler())  # errors travel in the reports, not as tracebacks
    _set_memory_limit(memory_mb)
    try:
        warm_up(exodus)
    except Exception:  # MemoryError included; the first job reports the problem with its app named
        log.debug("worker warm-up failed", exc_info=True)
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        seq, job = msg
        result = timed_job(job, exodus, timeout_s, job_fn)
        try:
            conn.send((seq, result))
        except (OSError, ValueError, EOFError):
            return
        except Exception:  # e.g. MemoryError while pickling a huge report: send a small one instead
            try:
                conn.send((seq, failed_report(job, "memory limit exceeded (report too large to send)")))
            except Exception:
                return


@dataclass
class _Worker:
    proc: Any  # multiprocessing.process.BaseProcess
    conn: Connection
    seq: int = -1
    job: Job | None = None
    started: float = 0.0


@dataclass
class LocalBackend:
    """Jobs one after another in this process; the time limit applies when run from the main thread."""

    exodus: str | None = None
    limits: Limits | None = None

    def run(self, jobs: Sequence[Job]) -> Iterator[dict[str, Any]]:
        timeout_s = self.limits.timeout_s if self.limits else 0.0
        for job in jobs:
            yield timed_job(job, self.exodus, timeout_s)


@dataclass
class ProcessBackend:
    workers: int = 2
    limits: Limits | None = None
    exodus: str | None = None
    job_fn: JobFn = field(default=run_job)

    def run(self, jobs: Sequence[Job]) -> Iterator[dict[str, Any]]:
        limits = self.limits or Limits()
        queue: deque[tuple[int, Job]] = deque(enumerate(jobs))
        if not queue:
            return
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["apprights.batch.jobs", "apprights.engine.scan"])
        pool: list[_Worker] = []

        def spawn() -> _Worker:
            parent, child = ctx.Pipe(duplex=True)
            proc = ctx.Process(
                target=_worker_main,
                args=(child, limits.memory_mb, limits.timeout_s, self.exodus, self.job_fn),
                daemon=True,
            )
            proc.start()
            child.close()
            return _Worker(proc=proc, conn=parent)

        def retire(w: _Worker) -> None:
            with contextlib.suppress(OSError):
                w.conn.close()
            if w.proc.is_alive():
                w.proc.kill()
            w.proc.join(5)

        try:
            for _ in range(min(max(1, self.workers), len(queue))):
                pool.append(spawn())
            while True:
                for w in pool:
                    if w.job is None and queue:
                        w.seq, w.job = queue.popleft()
                        w.started = time.monotonic()
                        # a worker already gone is noticed below through its sentinel
                        with contextlib.suppress(OSError, ValueError):
                            w.conn.send((w.seq, w.job))
                busy = [w for w in pool if w.job is not None]
                if not busy:
                    break
                now = time.monotonic()
                hard = limits.timeout_s + limits.grace_s if limits.timeout_s > 0 else None
                wait_s = None if hard is None else max(0.0, min(w.started + hard for w in busy) - now)
                wait([x for w in busy for x in (w.conn, w.proc.sentinel)], timeout=wait_s)
                for w in list(pool):
                    if w.job is None:
                        continue
                    job = w.job
                    report: dict[str, Any] | None = None
                    replace = False
                    if w.conn.poll():
                        try:
                            seq, report = w.conn.recv()
                            if seq != w.seq:  # cannot happen with one job per worker; be safe
                                report, replace = None, True
                        except Exception:  # EOF or a garbled pickle from a dying worker
                            report, replace = None, True
                    elif not w.proc.is_alive():
                        replace = True
                    elif hard is not None and time.monotonic() - w.started > hard:
                        log.warning(
                            "killing the worker scanning %s (no answer within the time limit)", job.apk
                        )
                        w.proc.kill()
                        w.proc.join(5)
                        report = failed_report(
                            job, f"time limit exceeded ({limits.timeout_s:g} s; worker stopped)", total_s=hard
                        )
                        replace = True
                    else:
                        continue
                    w.job = None
                    if report is None:
                        w.proc.join(1)
                        report = failed_report(
                            job, _death_cause(w.proc.exitcode), total_s=time.monotonic() - w.started
                        )
                    if replace:
                        retire(w)
                        pool.remove(w)
                        if queue:
                            pool.append(spawn())
                    yield report
        finally:  # normal end, or the consumer stopped (Ctrl-C): idle workers are told, busy ones killed
            for w in pool:
                if w.job is not None:
                    w.proc.kill()
                    continue
                with contextlib.suppress(OSError, ValueError):
                    w.conn.send(None)
            for w in pool:
                w.proc.join(2)
                retire(w)


def _death_cause(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (out of memory or killed)" if -exitcode == signal.SIGKILL else " (crash)"
        return f"worker process died: killed by {name}{hint}"
    return f"worker process died (exit code {exitcode})"


def ray_available() -> bool:
    try:
        import ray  # noqa: F401  (optional: pip install 'apprights[ray]')
    except ImportError:
        return False
    return True


def _first_line(exc: BaseException) -> str:
    """Ray's own message, without its advice about its own ``--address`` flag (ours is --ray-address)."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return text.replace(
        " Please specify the one to connect to by setting `--address` flag or `RAY_ADDRESS` environment variable.",
        "",
    )[:200]


RAY_MISSING = "Ray is not installed (pip install 'apprights[ray]'); use --backend process on one machine"


@dataclass
class RayBackend:
    """Jobs as Ray tasks. ``address`` ``local`` (the default) starts a Ray on this machine with ``workers`` CPUs
    (or joins the cluster named by the ``RAY_ADDRESS`` environment variable); ``auto`` joins the cluster that
    ``ray start --head`` runs here; ``ray://host:10001`` joins a remote cluster. The APK paths must be readable
    on every node (a shared store)."""

    address: str = "local"
    exodus: str | None = None
    limits: Limits | None = None
    workers: int | None = None

    def run(self, jobs: Sequence[Job]) -> Iterator[dict[str, Any]]:
        try:
            import ray
        except ImportError:
            raise InputError("--backend ray", RAY_MISSING) from None
        limits = self.limits or Limits()
        started_here = not ray.is_initialized()
        try:
            if self.address == "local":
                ray.init(
                    num_cpus=self.workers,
                    include_dashboard=False,
                    log_to_driver=False,
                    ignore_reinit_error=True,
                )
            else:
                ray.init(address=self.address, log_to_driver=False, ignore_reinit_error=True)
        except (ConnectionError, RuntimeError, ValueError, OSError) as exc:
            raise InputError(
                f"--ray-address {self.address}",
                f"cannot join a Ray cluster there ({_first_line(exc)}); start one with "
                "`ray start --head`, or leave --ray-address at its default (local) to start Ray on this machine",
            ) from None
        try:
            remote = ray.remote(max_retries=0)(timed_job)
            refs = {remote.remote(j, self.exodus, limits.timeout_s): j for j in jobs}
            waiting = list(refs)
            while waiting:
                done, waiting = ray.wait(waiting, num_returns=1)
                for ref in done:
                    job = refs[ref]
                    try:
                        yield ray.get(ref)
                    except Exception as exc:
                        yield failed_report(job, f"{type(exc).__name__}: {exc}")
        finally:
            if started_here:
                ray.shutdown()
