"""Runtime traces (``apprights-trace/1``) → ``RuntimeFacts``.

``extract_traces`` streams each file once: validation (``schema``), attribution of calls to the app or an SDK
(``attribution``), PI-in-traffic matching (``apprights.extractors.traffic``) and the fold into compact facts
(``builder``). Several files are several sessions of the same app (for example the refuse path and the agree
path).
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from apprights.errors import InputError
from apprights.extractors.trace.builder import BuildOptions, SessionBuilder
from apprights.extractors.trace.reader import FORMAT, ReadLimits, iter_event_blocks
from apprights.knowledge import Knowledge
from apprights.model.facts import InputRef
from apprights.model.runtime import RuntimeFacts, TraceSession

__all__ = ["FORMAT", "BuildOptions", "ReadLimits", "extract_trace_session", "extract_traces", "trace_inputs"]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a trace is folded. A million parsed events are a million
    short-lived dicts and lists: the collector would otherwise run thousands of times (a fifth of the CPU
    time) and find nothing, because events form no reference cycles (reference counting frees them). The
    previous state is restored afterwards, also on error."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def extract_trace_session(
    path: Path,
    knowledge: Knowledge,
    number: int = 0,
    *,
    options: BuildOptions | None = None,
    limits: ReadLimits | None = None,
) -> TraceSession:
    """One trace file → one session. Raises ``InputError`` naming the line and field on malformed input."""
    with _gc_paused():
        return _extract_trace_session(path, knowledge, number, options=options, limits=limits)


def _extract_trace_session(
    path: Path,
    knowledge: Knowledge,
    number: int,
    *,
    options: BuildOptions | None,
    limits: ReadLimits | None,
) -> TraceSession:
    builder: SessionBuilder | None = None
    handlers: dict[str, Any] = {}
    unknown = None
    for block in iter_event_blocks(path, limits):
        if builder is None:
            builder = SessionBuilder(str(path), number, block[0][3], knowledge, options or BuildOptions())
            handlers = builder.handlers()
            unknown = builder.on_unknown
        get = handlers.get
        for index, t, typ, ev in block:
            handler = get(typ)
            if handler is not None:
                handler(index, t, ev)
            else:
                unknown(typ)  # type: ignore[misc]
        builder.count = block[-1][0] + 1
        builder.last_t = float(block[-1][1])
    if builder is None:  # iter_event_blocks raises first; kept for the type checker
        raise InputError(str(path), "line 1: empty trace (no session event)")
    return builder.finish()


def extract_traces(
    paths: list[Path],
    knowledge: Knowledge,
    *,
    category: str | None = None,
    first_party_hosts: tuple[str, ...] = (),
    limits: ReadLimits | None = None,
) -> RuntimeFacts:
    """Trace files (one session each, same app) → ``RuntimeFacts``."""
    if not paths:
        raise InputError("<traces>", "no trace file given")
    options = BuildOptions(first_party_hosts=tuple(first_party_hosts))
    sessions: list[TraceSession] = []
    for i, p in enumerate(paths):
        s = extract_trace_session(Path(p), knowledge, i, options=options, limits=limits)
        if sessions and s.package != sessions[0].package:
            raise InputError(
                str(p),
                f"line 1: field 'package': {s.package!r} differs from {sessions[0].package!r} in {paths[0]}",
            )
        sessions.append(s)
    return RuntimeFacts(
        package=sessions[0].package, traces=[str(p) for p in paths], sessions=sessions, category=category
    )


def trace_inputs(paths: list[Path]) -> list[InputRef]:
    """The report's input entries for trace files: path, SHA-256 of the file as given, size."""
    refs: list[InputRef] = []
    for p in paths:
        h = hashlib.sha256()
        size = 0
        try:
            with open(p, "rb") as f:
                while chunk := f.read(1024 * 1024):
                    h.update(chunk)
                    size += len(chunk)
        except OSError as e:
            raise InputError(str(p), f"cannot read: {e.strerror or e}") from None
        refs.append(InputRef(kind="trace", path=str(p), sha256=h.hexdigest(), size=size))
    return refs
