"""Request bodies streamed to disk in chunks (never held whole in memory, never written on the event loop).

An intake route declares ``body: Annotated[SpooledBody, Depends(StreamedBody(cap))]`` AFTER its principal, so
the caller is authenticated first; the route itself is a plain ``def`` and runs in the thread pool. A body whose
``Content-Length`` already exceeds the cap is not read at all; a chunked body is counted as it streams and
dropped as soon as it passes the cap. Either way the route sees ``too_big`` and records the refusal.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import anyio
from fastapi import Request

from apprights.service.settings import Settings

CHUNK = 1024 * 1024  # bytes gathered before one write in a worker thread


@dataclass
class SpooledBody:
    """A request body kept in a temporary file under ``<data dir>/tmp`` (``path`` is None when it was not kept)."""

    path: Path | None
    size: int
    sha256: str
    too_big: bool
    cap: int
    _owned: bool = field(default=True, repr=False)

    def read_bytes(self) -> bytes:
        return self.path.read_bytes() if self.path is not None else b""

    def release(self) -> Path | None:
        """Hand the file over to the caller (who moves it into the blob store); it is no longer deleted here."""
        self._owned = False
        return self.path

    def discard(self) -> None:
        if self._owned and self.path is not None:
            self.path.unlink(missing_ok=True)
        self._owned = False


def tmp_dir(data_dir: Path) -> Path:
    return data_dir / "files" / "tmp"  # same file system as the blob store: os.replace moves, never copies


def declared_length(request: Request) -> int | None:
    raw = request.headers.get("content-length")
    if raw is None or not raw.isdigit():
        return None
    return int(raw)


async def spool(request: Request, cap: int, directory: Path) -> SpooledBody:
    """Stream ``request``'s body into a temporary file in ``directory``, at most ``cap`` bytes."""
    declared = declared_length(request)
    if declared is not None and declared > cap:
        return SpooledBody(None, declared, "", True, cap)
    await anyio.to_thread.run_sync(lambda: directory.mkdir(parents=True, exist_ok=True))
    fd, name = await anyio.to_thread.run_sync(lambda: tempfile.mkstemp(dir=directory, prefix=".body-"))
    path = Path(name)
    fh: IO[bytes] = os.fdopen(fd, "wb")
    digest = hashlib.sha256()
    size = 0
    buf = bytearray()

    def flush(data: bytes) -> None:
        digest.update(data)
        fh.write(data)

    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > cap:
                await anyio.to_thread.run_sync(fh.close)
                path.unlink(missing_ok=True)
                return SpooledBody(None, size, "", True, cap)
            buf += chunk
            if len(buf) >= CHUNK:
                data, buf = bytes(buf), bytearray()
                await anyio.to_thread.run_sync(flush, data)
        if buf:
            await anyio.to_thread.run_sync(flush, bytes(buf))
        await anyio.to_thread.run_sync(fh.close)
    except BaseException:
        fh.close()
        path.unlink(missing_ok=True)
        raise
    return SpooledBody(path, size, digest.hexdigest(), False, cap)


class StreamedBody:
    """Dependency: the request body spooled to disk, capped by ``cap(settings)``; removed after the response
    unless the route kept it (``SpooledBody.release``)."""

    def __init__(self, cap: Callable[[Settings], int]) -> None:
        self.cap = cap

    async def __call__(self, request: Request) -> AsyncIterator[SpooledBody]:
        settings: Settings = request.app.state.settings
        body = await spool(request, self.cap(settings), tmp_dir(settings.data_dir))
        try:
            yield body
        finally:
            await anyio.to_thread.run_sync(body.discard)
