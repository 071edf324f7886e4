"""Errors and refusals on page routes become pages in the user's language with a way back; API routes keep JSON.

Every exception handler the service installed (domain errors, HTTPException, validation) is wrapped: on an
``/api/`` path its JSON answer goes out unchanged; on a page path the same status and message are rendered as
a page with the user's menu, a link back and a link home.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from apprights.service.deps import SESSION_COOKIE, Principal, resolve_principal
from apprights.web.render import Pages, lang_of

log = logging.getLogger(__name__)

TITLES: dict[int, tuple[str, str]] = {
    400: ("请求有误", "Bad request"),
    401: ("需要登录", "Please log in"),
    403: ("无权访问", "You may not open this page"),
    404: ("页面或记录不存在", "Not found"),
    405: ("不支持该操作", "This action is not supported here"),
    409: ("与当前状态冲突", "Conflicts with the current state"),
    413: ("上传内容过大", "Upload too large"),
    422: ("输入有误", "Invalid input"),
    429: ("请求过于频繁", "Too many requests"),
    500: ("服务器内部错误", "Internal server error"),
}


def invalid_input(e: ValidationError) -> str:
    """A form's validation errors as the message a page shows (the first three, field: problem)."""
    why = "; ".join(f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}" for err in e.errors()[:3])
    return f"输入有误 / invalid input: {why}"


def is_api(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path in ("/openapi.json", "/docs", "/redoc")


def _message(detail: Any) -> str:
    """A person-readable line from a handler's JSON ``detail`` (a string, a transition refusal or a list)."""
    if isinstance(detail, str):
        return detail
    if isinstance(detail, dict):
        return str(detail.get("why") or detail.get("msg") or json.dumps(detail, ensure_ascii=False))
    if isinstance(detail, list):
        parts = []
        for item in detail[:5]:
            if isinstance(item, dict):
                loc = ".".join(str(x) for x in item.get("loc", ()) if x not in ("body", "query", "path"))
                parts.append(f"{loc}: {item.get('msg', '')}".strip(": "))
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return "" if detail is None else str(detail)


def _in_lang(text: str, lang: str) -> str:
    """Messages are written "中文 / English"; an English reader gets the English half."""
    if lang == "en" and " / " in text:
        return text.split(" / ", 1)[1]
    return text


def _back(request: Request) -> str:
    ref = request.headers.get("referer", "")
    parts = urlsplit(ref)
    if ref and parts.netloc == request.url.netloc and parts.path != request.url.path:
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return "/"


def _principal(request: Request) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        with request.app.state.sessionmaker() as session:
            return resolve_principal(session, token, request.app.state.clock())
    except Exception:  # the error page must render even when the database is the problem
        log.exception("could not resolve the caller for an error page")
        return None


def error_page(pages: Pages, request: Request, status: int, message: str) -> Response:
    if status == 401:
        return RedirectResponse("/login", status_code=303)
    lang = lang_of(request)
    zh, en = TITLES.get(status, TITLES[500] if status >= 500 else TITLES[400])
    return pages.render(
        request,
        "error.html",
        _principal(request),
        status=status,
        code=status,
        heading_zh=zh,
        heading_en=en,
        message=_in_lang(message, lang),
        back=_back(request),
    )


def _wrap(handler: Callable[..., Any], pages: Pages) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def page_or_json(request: Request, exc: Exception) -> Response:
        out = handler(request, exc)
        if inspect.isawaitable(out):
            out = await out
        response: Response = out
        if is_api(request) or not isinstance(response, JSONResponse):
            return response
        try:
            detail = json.loads(bytes(response.body)).get("detail")
        except (ValueError, AttributeError):
            detail = None
        return error_page(pages, request, response.status_code, _message(detail))

    return page_or_json


def install_error_pages(app: FastAPI, pages: Pages) -> None:
    """Call after every other exception handler is installed (``create_app`` installs pages last)."""
    for key, handler in list(app.exception_handlers.items()):
        if key in (500, Exception):
            continue
        app.add_exception_handler(key, _wrap(handler, pages))

    async def server_error(request: Request, exc: Exception) -> Response:
        log.error("unhandled error on %s", request.url.path, exc_info=exc)
        if is_api(request):
            return JSONResponse({"detail": "服务器内部错误 / internal server error"}, status_code=500)
        return error_page(pages, request, 500, "请稍后重试 / please try again later")

    app.add_exception_handler(Exception, server_error)

    async def too_large_page(scope: Any, cap: int) -> Response:
        """The body-limit middleware's 413 on a page path (the body was never read)."""
        request = Request(scope)
        message = f"请求体过大（上限 {cap} 字节）/ request body larger than {cap} bytes"
        return await anyio.to_thread.run_sync(lambda: error_page(pages, request, 413, message))

    app.state.too_large_page = too_large_page
