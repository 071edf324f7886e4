"""Request bodies spooled to disk: hashed while streaming, capped before (Content-Length) or while reading."""

from __future__ import annotations

import hashlib
from pathlib import Path

import anyio
from starlette.requests import Request

from apprights.service.uploads import SpooledBody, spool


def _request(chunks: list[bytes], content_length: int | None = None) -> Request:
    headers = [] if content_length is None else [(b"content-length", str(content_length).encode())]
    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers, "query_string": b""}
    queue = list(chunks)

    async def receive() -> dict[str, object]:
        body = queue.pop(0) if queue else b""
        return {"type": "http.request", "body": body, "more_body": bool(queue)}

    return Request(scope, receive)


def _spool(chunks: list[bytes], cap: int, tmp: Path, content_length: int | None = None) -> SpooledBody:
    async def run() -> SpooledBody:
        return await spool(_request(chunks, content_length), cap, tmp)

    return anyio.run(run)


def test_a_body_is_streamed_to_a_file_and_hashed(tmp_path: Path) -> None:
    chunks = [b"a" * 700_000, b"b" * 700_000, b"c" * 10]  # crosses the 1 MiB write size
    body = _spool(chunks, 10_000_000, tmp_path)
    data = b"".join(chunks)
    assert not body.too_big and body.size == len(data) and body.path is not None
    assert body.read_bytes() == data and body.sha256 == hashlib.sha256(data).hexdigest()
    body.discard()
    assert not body.path.exists()


def test_a_released_body_is_not_removed(tmp_path: Path) -> None:
    body = _spool([b"keep me"], 100, tmp_path)
    path = body.release()
    body.discard()
    assert path is not None and path.read_bytes() == b"keep me"


def test_a_declared_length_over_the_cap_is_not_read(tmp_path: Path) -> None:
    body = _spool([b"x" * 10], 100, tmp_path, content_length=10**12)
    assert body.too_big and body.path is None and body.size == 10**12
    assert list(tmp_path.iterdir()) == []  # nothing was written


def test_a_chunked_body_stops_at_the_cap_and_leaves_no_file(tmp_path: Path) -> None:
    body = _spool([b"x" * 60] * 5, 100, tmp_path)
    assert body.too_big and body.path is None and body.size == 120  # stopped at the chunk that passed the cap
    assert [p for p in tmp_path.iterdir() if p.is_file()] == []
