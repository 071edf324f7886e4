"""Streaming, size-capped line reader for ``apprights-trace/1`` files (.jsonl or .jsonl.gz).

Lines are read one at a time (never the whole file), each line is capped, gzip output is capped in total and
by compression ratio (a bomb stops with ``InputError`` instead of filling memory or disk), and every line is
parsed and validated before it is handed on.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from apprights.errors import InputError
from apprights.extractors.trace.schema import validate_event

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
    # gzip output / input beyond which a file is treated as a bomb (JSON lines compress ~5-20x)
    max_gzip_ratio: int = 200
    gzip_ratio_floor: int = 64 * 1024 * 1024  # the ratio check starts after this much output
    max_events: int = 20_000_000


class _CappedGzip(io.RawIOBase):
    """A gzip decompressor stream that stops on garbage, total-size and ratio caps."""

    def __init__(self, raw: IO[bytes], path: str, limits: ReadLimits) -> None:
        self._raw = raw
        self._path = path
        self._limits = limits
        self._gz = gzip.GzipFile(fileobj=raw, mode="rb")
        self._out = 0

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._gz.close()
        super().close()

    def readinto(self, b: Any) -> int:
        try:
            data = self._gz.read(len(b))
        except (OSError, EOFError, zlib.error) as e:
            raise InputError(self._path, f"corrupt gzip data: {e}") from None
        n = len(data)
        b[:n] = data
        self._out += n
        lim = self._limits
        if self._out > lim.max_decompressed_bytes:
            raise InputError(self._path, f"decompressed size exceeds {lim.max_decompressed_bytes} bytes")
        if self._out > lim.gzip_ratio_floor:
            consumed = max(1, self._raw.tell())
            if self._out / consumed > lim.max_gzip_ratio:
                raise InputError(
                    self._path, f"gzip compression ratio above {lim.max_gzip_ratio}: refusing a gzip bomb"
                )
        return n


def _open(path: Path, limits: ReadLimits) -> tuple[IO[bytes], IO[bytes]]:
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed by the caller
    except OSError as e:
        raise InputError(str(path), f"cannot open: {e.strerror or e}") from None
    head = raw.read(2)
    raw.seek(0)
    if head == b"\x1f\x8b":
        stream: IO[bytes] = io.BufferedReader(_CappedGzip(raw, str(path), limits), 1024 * 1024)
        return raw, stream
    if path.name.endswith(".gz"):
        raw.close()
        raise InputError(str(path), "line 1: not gzip data although the name ends in .gz")
    return raw, raw


def _loads(line: bytes, path: str, n: int) -> Any:
    try:
        return _json_loads(line)
    except UnicodeDecodeError:
        raise InputError(path, f"line {n}: not valid UTF-8") from None
    except ValueError as e:  # orjson.JSONDecodeError and json.JSONDecodeError are ValueErrors
        raise InputError(path, f"line {n}: invalid JSON: {e}") from None
    except RecursionError:
        raise InputError(path, f"line {n}: JSON nested too deeply") from None


def _lines(stream: IO[bytes], cap: int, path: str) -> Iterator[bytes]:
    """Split a byte stream into lines (without the newline), reading 1 MiB at a time; no line may exceed
    ``cap`` bytes (checked before it is ever parsed, so a newline-free file cannot fill memory)."""
    rest = b""
    lineno = 0
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        if rest:
            chunk = rest + chunk
        parts = chunk.split(b"\n")
        rest = parts.pop()
        for line in parts:
            lineno += 1
            if len(line) > cap:
                raise InputError(path, f"line {lineno}: longer than {cap} bytes")
            yield line
        if len(rest) > cap:
            raise InputError(path, f"line {lineno + 1}: longer than {cap} bytes")
    if rest:
        yield rest


_CHUNK = 1024 * 1024


def read_events(path: Path, limits: ReadLimits | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (0-based event index, validated event) for every non-empty line, in order.

    Raises ``InputError(path, "line N: …")`` on the first malformed line. Blank lines are skipped (but counted
    for line numbers); the event index counts events only.
    """
    limits = limits or ReadLimits()
    p = str(path)
    raw, stream = _open(path, limits)
    try:
        lineno = 0
        index = 0
        last_t = 0.0
        for line in _lines(stream, limits.max_line_bytes, p):
            lineno += 1
            if not line or line.isspace():
                continue
            if lineno == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]  # a UTF-8 byte-order mark some Windows tools write
            obj = _loads(line, p, lineno)
            ev = validate_event(obj, p, lineno)
            t = ev["t"]
            if index == 0:
                if ev["type"] != "session":
                    raise InputError(p, f"line {lineno}: field 'type': the first event must be 'session'")
            elif ev["type"] == "session":
                raise InputError(p, f"line {lineno}: field 'type': a second 'session' event")
            if t < last_t:
                raise InputError(p, f"line {lineno}: field 't': {t} is before the previous event's {last_t}")
            last_t = t
            yield index, ev
            index += 1
            if index > limits.max_events:
                raise InputError(p, f"line {lineno}: more than {limits.max_events} events")
        if index == 0:
            raise InputError(p, "line 1: empty trace (no session event)")
    finally:
        if stream is not raw:
            stream.close()
        raw.close()
