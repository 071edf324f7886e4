"""HTTP hygiene as pure ASGI middleware: request body limits (before the body is read) and security headers.

Body limits: every request gets a cap from ``body_cap`` (the settings are read per request from the app, so a
changed setting applies at once). A ``Content-Length`` over the cap is answered ``413`` without reading a byte; a
chunked body is counted as it streams and refused as soon as it passes the cap, so an anonymous 200 MB
complaint never sits in the server's memory. The intake routes that keep every submission (scan reports,
listings, self-check APKs, case responses, calendars) stream to disk and enforce their own cap, recording the
refusal (``service.uploads``); here they are passed through.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson
from fastapi import HTTPException

from apprights.service.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around an uploaded file
COMPLAINT_ATTACHMENTS = 5  # ComplaintIn.attachments max_length
COMPLAINT_ATTACHMENT_CHARS = 8 * 1024 * 1024  # Attachment.content_base64 max_length

# Routes that stream their body to disk and record an over-size refusal themselves (service.uploads).
_SELF_LIMITED = re.compile(
    r"^/api/v1/(scans|listings|self-checks|apps/claim|cases/[^/]+/response|admin/calendar/[^/]+)/?$"
)


def body_cap(settings: Settings, method: str, path: str) -> int | None:
    """The largest body accepted for ``method path`` (None: the route enforces its own cap while streaming)."""
    if method == "POST" and _SELF_LIMITED.match(path):
        return None
    if method == "POST" and re.fullmatch(r"/api/v1/leads/[^/]+/files/?", path):
        return settings.max_upload_bytes + MULTIPART_SLACK
    if method == "POST" and re.fullmatch(r"/api/v1/cases/[^/]+/responses/[^/]+/files/?", path):
        return settings.max_upload_bytes + MULTIPART_SLACK
    if method == "POST" and re.fullmatch(r"/cases/[^/]+/response/?", path):  # the web form: text and files
        return settings.max_upload_bytes + MULTIPART_SLACK
    if method == "POST" and path.rstrip("/") == "/self-checks":  # the web upload form (multipart)
        return settings.max_apk_bytes + MULTIPART_SLACK
    if method == "POST" and path.rstrip("/") == "/api/v1/complaints":
        return COMPLAINT_ATTACHMENTS * COMPLAINT_ATTACHMENT_CHARS + settings.max_json_bytes
    return settings.max_json_bytes


class BodyTooLarge(HTTPException):
    def __init__(self, cap: int) -> None:
        super().__init__(413, f"请求体过大 / request body larger than {cap} bytes")


def _json_413(cap: int) -> tuple[Message, Message]:
    body = orjson.dumps({"detail": f"请求体过大 / request body larger than {cap} bytes"})
    start = {
        "type": "http.response.start",
        "status": 413,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ],
    }
    return start, {"type": "http.response.body", "body": body}


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings: Settings = scope["app"].state.settings
        cap = body_cap(settings, scope["method"], scope["path"])
        if cap is None:
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > cap):
                await _refuse(scope, receive, send, cap)
                return
        seen = 0
        started = False

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    raise BodyTooLarge(cap)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(scope, receive, send, cap)


async def _refuse(scope: Scope, receive: Receive, send: Send, cap: int) -> None:
    """413: JSON on the API; on a page path the error page in the user's language when the web pages installed
    one (``app.state.too_large_page``)."""
    page = getattr(scope["app"].state, "too_large_page", None)
    path: str = scope["path"]
    if page is not None and not path.startswith("/api/"):
        response = await page(scope, cap)
        await response(scope, receive, send)
        return
    for message in _json_413(cap):
        await send(message)


# The console pages (server-rendered, vendored htmx/ECharts, /docs' Swagger UI) load scripts, styles and
# images from this origin only; inline style attributes (documents, reports) are allowed, inline scripts not.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


class SecurityHeadersMiddleware:
    """Adds ``SECURITY_HEADERS`` to every HTTP response (a header the route set itself is kept)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
