"""Streaming, size-capped reader for ``apprights-trace/1`` files (.jsonl or .jsonl.gz).

The file is read in blocks (never whole) and split into lines here; each line is capped, gzip output is capped
in total and by compression ratio (a bomb stops with ``InputError`` instead of filling memory or keeping the
reader busy), the number of events is capped, only regular files are opened (a FIFO or a device would block
or never end), and every line is parsed and validated before it is handed on.

``iter_event_blocks`` is the hot loop: it hands out lists of validated events, one list per block of text, so
the consumer pays no generator switch per event. ``read_events`` yields them one by one.
"""

from __future__ import annotations

import json
import math
import os
import stat
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from apprights.errors import InputError
from apprights.extractors.trace.schema import fast_checks, validate_event

FORMAT = "apprights-trace/1"

try:  # orjson parses these lines several times faster than the stdlib; both reject the same inputs we care about
    import orjson

    _json_loads: Callable[[bytes], Any] = orjson.loads
except ImportError:  # pragma: no cover - orjson is a declared dependency
    _json_loads = json.loads


@dataclass(frozen=True)
class ReadLimits:
    max_line_bytes: int = 8 * 1024 * 1024
    max_decompressed_bytes: int = 4 * 1024 * 1024 * 1024
    # gzip output / input beyond which a file is treated as a bomb. Real traces compress 5-20x (the 1M-event
    # benchmark trace: 10x at level 6, 11x at level 9); a file of one repeated tiny event compresses ~170x.
    max_gzip_ratio: int = 50
    gzip_ratio_floor: int = 16 * 1024 * 1024  # the ratio check starts after this much output
    # 5M events is 5x the largest session we benchmark and reads in well under a minute; raise it for longer ones
    max_events: int = 5_000_000


_BLOCK = 4 * 1024 * 1024  # bytes of (decompressed) text handled per step
_RAW_BLOCK = 256 * 1024  # compressed bytes read per step (small: the ratio check should see input as it goes)


def _open(path: Path) -> IO[bytes]:
    """Open a regular file for reading; anything else (FIFO, device, directory, socket) is refused."""
    try:
        # O_NONBLOCK: opening a FIFO with no writer would otherwise block before we can look at it
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise InputError(str(path), f"cannot open: {e.strerror or e}") from None
    try:
        mode = os.fstat(fd).st_mode
    except OSError as e:  # pragma: no cover - fstat on an open descriptor does not fail in practice
        os.close(fd)
        raise InputError(str(path), f"cannot open: {e.strerror or e}") from None
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else "a special file"
        raise InputError(str(path), f"not a regular file ({kind})")
    return os.fdopen(fd, "rb", buffering=0)


def _plain_blocks(raw: IO[bytes], head: bytes) -> Iterator[bytes]:
    if head:
        yield head
    while block := raw.read(_BLOCK):
        yield block


def _gzip_blocks(raw: IO[bytes], head: bytes, path: str, limits: ReadLimits) -> Iterator[bytes]:
    """Inflate a (possibly multi-member) gzip stream block by block; CRC and length are checked by zlib."""
    pending = head  # compressed bytes read but not yet given to zlib
    read_total = len(head)
    out_total = 0
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    in_member = True
    while True:
        if not pending:
            pending = raw.read(_RAW_BLOCK)
            read_total += len(pending)
            if not pending:
                break
        if not in_member:  # between members: zero padding is allowed (as gzip(1) does), anything else is not
            pending = pending.lstrip(b"\x00")
            if not pending:
                continue
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            in_member = True
        try:
            out = d.decompress(pending, _BLOCK)
        except zlib.error as e:
            raise InputError(path, f"corrupt gzip data: {e}") from None
        if d.eof:
            pending = d.unused_data
            in_member = False
        else:
            pending = d.unconsumed_tail
        if out:
            out_total += len(out)
            if out_total > limits.max_decompressed_bytes:
                raise InputError(path, f"decompressed size exceeds {limits.max_decompressed_bytes} bytes")
            if out_total > limits.gzip_ratio_floor:
                consumed = max(1, read_total - len(pending))
                if out_total / consumed > limits.max_gzip_ratio:
                    raise InputError(
                        path, f"gzip compression ratio above {limits.max_gzip_ratio}: refusing a gzip bomb"
                    )
            yield out
    if in_member:
        raise InputError(path, "corrupt gzip data: the file ends in the middle of a gzip member (truncated)")


def iter_line_blocks(path: Path, limits: ReadLimits | None = None) -> Iterator[list[bytes]]:
    """Lists of consecutive lines (without the newline, blank lines included so callers can count them).
    No line may exceed ``limits.max_line_bytes`` (checked before it is ever parsed)."""
    limits = limits or ReadLimits()
    p = str(path)
    cap = limits.max_line_bytes
    raw = _open(path)
    try:
        head = raw.read(2)
        if head == b"\x1f\x8b":
            blocks = _gzip_blocks(raw, head, p, limits)
        elif path.name.endswith(".gz"):
            raise InputError(p, "line 1: not gzip data although the name ends in .gz")
        else:
            blocks = _plain_blocks(raw, head)
        rest = b""
        lineno = 0  # lines handed out so far
        for block in blocks:
            if rest:
                block = rest + block
            lines = block.split(b"\n")
            rest = lines.pop()
            if lines:
                if max(map(len, lines)) > cap:
                    for i, line in enumerate(lines):
                        if len(line) > cap:
                            raise InputError(p, f"line {lineno + i + 1}: longer than {cap} bytes")
                lineno += len(lines)
                yield lines
            if len(rest) > cap:
                raise InputError(p, f"line {lineno + 1}: longer than {cap} bytes")
        if rest:
            yield [rest]
    finally:
        raw.close()


def _loads_error(line: bytes, path: str, n: int) -> InputError:
    """The error for a line the parser rejected (parsed again: only ever once per file)."""
    try:
        _json_loads(line)
    except UnicodeDecodeError:
        return InputError(path, f"line {n}: not valid UTF-8")
    except ValueError as e:  # orjson.JSONDecodeError and json.JSONDecodeError are ValueErrors
        return InputError(path, f"line {n}: invalid JSON: {e}")
    except RecursionError:
        return InputError(path, f"line {n}: JSON nested too deeply")
    return InputError(path, f"line {n}: invalid JSON")  # pragma: no cover - it failed the first time


Event = tuple[int, float, str, dict[str, Any]]


def iter_event_blocks(path: Path, limits: ReadLimits | None = None) -> Iterator[list[Event]]:
    """Lists of consecutive ``(index, t, type, event)``: every non-empty line parsed and validated, in order.

    Raises ``InputError(path, "line N: …")`` on the first malformed line. Blank lines are skipped (but counted
    for line numbers); the event index counts events only. The first event must be ``session``, ``t`` must not
    decrease, and there may be at most ``limits.max_events`` events.
    """
    limits = limits or ReadLimits()
    p = str(path)
    checks, unknown_check = fast_checks()
    get_check = checks.get
    loads = _json_loads
    max_events = limits.max_events
    inf = math.inf
    lineno = 0
    index = 0
    last_t: Any = 0.0
    for lines in iter_line_blocks(path, limits):
        out: list[Event] = []
        append = out.append
        if index == 0:
            if lineno == 0 and lines[0].startswith(b"\xef\xbb\xbf"):
                lines[0] = lines[0][3:]  # a UTF-8 byte-order mark some Windows tools write
            while lines:  # the session event: checked in full, and only once
                lineno += 1
                line = lines.pop(0)
                if line.strip():
                    break
            else:
                continue
            try:
                obj = loads(line)
            except (ValueError, RecursionError):
                raise _loads_error(line, p, lineno) from None
            ev = validate_event(obj, p, lineno)
            if ev["type"] != "session":
                raise InputError(p, f"line {lineno}: field 'type': the first event must be 'session'")
            last_t = ev["t"]
            append((0, float(last_t), "session", ev))
            index = 1
        for line in lines:
            lineno += 1
            try:
                obj = loads(line)
            except (ValueError, RecursionError):
                if not line.strip():
                    continue
                raise _loads_error(line, p, lineno) from None
            if obj.__class__ is not dict:
                validate_event(obj, p, lineno)  # raises
            typ = obj.get("type")
            t = obj.get("t")
            if (
                typ.__class__ is not str
                or (t.__class__ is not float and t.__class__ is not int)
                or not (last_t <= t < inf)
                or typ == "session"
                or not (get_check(typ) or unknown_check)(obj)
            ):
                _raise_problem(obj, p, lineno, last_t)
            if index >= max_events:
                raise InputError(p, f"line {lineno}: more than {max_events} events")
            last_t = t
            append((index, t, typ, obj))
            index += 1
        if out:
            yield out
    if index == 0:
        raise InputError(p, "line 1: empty trace (no session event)")


def _raise_problem(obj: Any, path: str, lineno: int, last_t: float) -> None:
    """The fast checks said no: find the exact problem (in the order ``validate_event`` reports them)."""
    ev = validate_event(obj, path, lineno)
    if ev["type"] == "session":
        raise InputError(path, f"line {lineno}: field 'type': a second 'session' event")
    t = ev["t"]
    if t < last_t:
        raise InputError(path, f"line {lineno}: field 't': {t} is before the previous event's {last_t}")
    raise InputError(path, f"line {lineno}: malformed event")  # pragma: no cover - fast and full checks agree


def read_events(path: Path, limits: ReadLimits | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (0-based event index, validated event) for every non-empty line, in order (see
    ``iter_event_blocks``)."""
    for block in iter_event_blocks(path, limits):
        for index, _t, _typ, ev in block:
            yield index, ev
