"""Body size limits (checked before the body is read), security headers. A real server on loopback, SQLite and
PostgreSQL, driven with a raw socket so that the client controls exactly what is sent."""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from apprights.service.middleware import CSP, body_cap
from apprights.service.settings import Settings
from tests.service.conftest import World
from tests.service.live import Live, live_service


@pytest.fixture
def live(db_url: str, tmp_path: Path) -> Iterator[Live]:
    with live_service(db_url, tmp_path / "data") as lv:
        yield lv


def _connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    s = socket.create_connection((parts.hostname, parts.port), timeout=10)
    return s


def _read_response(s: socket.socket, timeout_s: float = 10.0) -> bytes:
    s.settimeout(timeout_s)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_a_declared_200mb_anonymous_complaint_is_refused_before_reading(live: Live) -> None:
    s = _connect(live.url)
    try:
        t = time.perf_counter()
        s.sendall(
            b"POST /api/v1/complaints HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 209715200\r\n\r\n{"
        )
        head = _read_response(s)
        assert head.startswith(b"HTTP/1.1 413"), head[:200]
        assert time.perf_counter() - t < 5  # answered at once, not after waiting for 200 MB
        assert b"content-security-policy" in head.lower()  # the refusal carries the security headers too
    finally:
        s.close()


def test_a_chunked_body_is_counted_while_it_streams(live: Live) -> None:
    """No Content-Length: the server counts and answers 413 once the JSON cap (1 MiB) is passed, long before
    the client's 64 MiB would have arrived."""
    s = _connect(live.url)
    sent = 0
    try:
        s.sendall(
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"x" * 65536
        frame = b"%x\r\n%s\r\n" % (len(chunk), chunk)
        answered = False
        while sent < 64 * 1024 * 1024:
            try:
                s.sendall(frame)
            except (BrokenPipeError, ConnectionResetError):
                answered = True
                break
            sent += len(chunk)
            readable, _, _ = select.select([s], [], [], 0)
            if readable:
                answered = True
                break
        assert answered, "the server read 64 MiB without refusing"
        head = _read_response(s)
        assert head.startswith(b"HTTP/1.1 413"), head[:200]
        assert sent < 8 * 1024 * 1024, sent
    finally:
        s.close()


def test_a_declared_oversize_report_is_recorded_without_being_read(live: Live) -> None:
    w = live.world
    s = _connect(live.url)
    try:
        token = w.tokens["agency"].encode()
        s.sendall(
            b"POST /api/v1/scans HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + b"\r\n"
            b"Content-Type: application/x-ndjson\r\nContent-Length: 5368709120\r\n\r\n"
        )
        head = _read_response(s, 30)
    finally:
        s.close()
    assert head.startswith(b"HTTP/1.1 413"), head[:300]
    sub_id = next(
        line.split(b":", 1)[1].strip().decode()
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"x-apprights-submission:")
    )
    sub = w.ok("ministry", "GET", f"/api/v1/submissions/{sub_id}")
    assert sub["outcome"] == "rejected" and sub["size"] == 2**31 - 1 and sub["sha256"] == ""


def test_json_bodies_over_the_cap_get_413_not_a_parse(live: Live) -> None:
    w = live.world
    big = b'{"username": "' + b"a" * (2 * 1024 * 1024) + b'", "password": "x"}'
    r = w.client.post("/api/v1/auth/login", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and "larger than" in r.json()["detail"]
    # a lead evidence file over its cap (multipart) is refused the same way
    r = w.call(
        "province",
        "POST",
        "/api/v1/leads/1/files",
        files={
            "file": ("截图.png", b"\x89PNG" + b"0" * (w.settings.max_upload_bytes + 100_000), "image/png")
        },
    )
    assert r.status_code == 413


def test_caps_per_route() -> None:
    s = Settings()
    assert body_cap(s, "POST", "/api/v1/scans") is None  # streams to disk, records its own refusal
    assert body_cap(s, "POST", "/api/v1/cases/3/response") is None
    assert body_cap(s, "POST", "/api/v1/users") == s.max_json_bytes
    assert body_cap(s, "GET", "/api/v1/cases") == s.max_json_bytes
    assert s.max_upload_bytes < (body_cap(s, "POST", "/api/v1/leads/7/files") or 0) < 2 * s.max_upload_bytes
    complaint = body_cap(s, "POST", "/api/v1/complaints") or 0
    assert 40 * 1024 * 1024 <= complaint < 200 * 1024 * 1024


def test_security_headers_on_api_and_pages(world: World) -> None:
    for path in ("/api/v1/provinces", "/login", "/api/v1/nope", "/openapi.json"):
        r = world.client.get(path)
        assert r.headers["content-security-policy"] == CSP, path
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in CSP and "default-src 'self'" in CSP
    assert "'unsafe-eval'" not in CSP and "script-src 'self'" in CSP
