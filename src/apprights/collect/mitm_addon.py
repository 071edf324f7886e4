"""mitmproxy addon: writes every request that passes the proxy as an ``apprights-trace/1`` ``network`` event.

Run in its own environment (mitmproxy 11 pins ``cryptography`` below what the core package needs), e.g.::

    python3.11 -m venv ~/.venvs/apprights-mitm && ~/.venvs/apprights-mitm/bin/pip install 'mitmproxy>=11,<12'
    ~/.venvs/apprights-mitm/bin/mitmdump --listen-host 127.0.0.1 --listen-port 8080 \\
        -s src/apprights/collect/mitm_addon.py \\
        --set apprights_trace=/tmp/session.network.jsonl --set apprights_t0=1764300000.0

Options:
  apprights_trace     file the events are appended to (JSON Lines, header-less: the collector merges it into
                      the session trace and sorts it by ``t``)
  apprights_t0        session start, host epoch seconds; ``t`` = request start - t0
  apprights_body_cap  bytes of request body kept (base64) per request, default 65536
  apprights_process   optional ``process`` value for the events (the app under test)

This file is deliberately self-contained: it imports neither mitmproxy (the loader and flows are passed in)
nor apprights, so it loads in the proxy's environment and never drags the proxy into the core package.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
from typing import IO, Any

log = logging.getLogger(__name__)

TRACE_FORMAT = "apprights-trace/1"
DEFAULT_BODY_CAP = 64 * 1024
MAX_HEADERS = 100
MAX_HEADER_VALUE = 4096


def _headers(headers: Any) -> dict[str, str]:
    """Header name -> value (repeated headers joined with ", "), capped; names as sent."""
    out: dict[str, str] = {}
    for name, value in headers.items(multi=True):
        if len(out) >= MAX_HEADERS and name not in out:
            break
        value = str(value)[:MAX_HEADER_VALUE]
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def network_event(flow: Any, t0: float, body_cap: int, process: str = "") -> dict[str, Any]:
    """The ``network`` event for one mitmproxy HTTP flow (response optional)."""
    req = flow.request
    event: dict[str, Any] = {
        "type": "network",
        "t": round(max(0.0, float(req.timestamp_start) - t0), 6),
        "host": req.pretty_host,
        "method": req.method,
        "url": req.pretty_url,
        "port": int(req.port),
        "scheme": req.scheme,
        "tls": req.scheme == "https",
        "request_headers": _headers(req.headers),
    }
    if process:
        event["process"] = process
    peer = getattr(flow.server_conn, "peername", None)
    if peer:
        event["ip"] = str(peer[0])
    # Decoded body (gzip/deflate/br undone) so identifiers can be searched for; raw bytes if decoding fails.
    body = req.get_content(strict=False)
    if body is None:
        body = req.raw_content
    if body:
        event["request_body_b64"] = base64.b64encode(body[:body_cap]).decode("ascii")
        if len(body) > body_cap:
            event["request_body_truncated"] = True
            event["request_body_size"] = len(body)
    if flow.response is not None:
        event["response_status"] = int(flow.response.status_code)
    if flow.error is not None:
        event["error"] = str(flow.error.msg)[:500]
    return event


class ApprightsTrace:
    """Appends one ``network`` line per completed (or failed) request."""

    def __init__(self) -> None:
        self._out: IO[str] | None = None
        self._path = ""
        self._t0 = 0.0
        self._cap = DEFAULT_BODY_CAP
        self._process = ""
        self._lock = threading.Lock()
        self._written: set[str] = set()
        self._pending: dict[str, Any] = {}  # requests without a response or error yet

    def load(self, loader: Any) -> None:
        loader.add_option("apprights_trace", str, "", "apprights: file the network events are appended to")
        loader.add_option("apprights_t0", str, "0", "apprights: session start (host epoch seconds)")
        loader.add_option("apprights_body_cap", int, DEFAULT_BODY_CAP, "apprights: request body bytes kept")
        loader.add_option("apprights_process", str, "", "apprights: process name recorded on events")

    def configure(self, updated: Any) -> None:
        from mitmproxy import ctx  # only ever imported inside mitmproxy

        opts = ctx.options
        try:
            self._t0 = float(opts.apprights_t0)
        except ValueError as exc:
            raise ValueError(f"apprights_t0 must be epoch seconds, got {opts.apprights_t0!r}") from exc
        self._cap = max(0, int(opts.apprights_body_cap))
        self._process = str(opts.apprights_process)
        if opts.apprights_trace != self._path:
            self.done()
            self._path = str(opts.apprights_trace)
            if self._path:
                # the collector's --out folder may not exist yet: create it rather than abort the session
                os.makedirs(os.path.dirname(os.path.abspath(self._path)), exist_ok=True)
                self._out = open(self._path, "a", encoding="utf-8")  # noqa: SIM115 - kept open for the session
                log.info("apprights: writing network events to %s (t0=%s)", self._path, self._t0)

    def _write(self, flow: Any, note: str = "") -> None:
        with self._lock:
            self._pending.pop(str(getattr(flow, "id", "")), None)
        if self._out is None or flow.id in self._written:
            return
        try:
            event = network_event(flow, self._t0, self._cap, self._process)
        except Exception:  # a malformed flow must not stop the capture
            log.exception("apprights: cannot record flow %s", getattr(flow, "id", "?"))
            return
        if note and "error" not in event:
            event["error"] = note
        self._line(event, flow.id)

    def _line(self, event: dict[str, Any], key: str) -> None:
        line = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            if self._out is None or key in self._written:
                return
            self._written.add(key)
            self._out.write(line + "\n")
            self._out.flush()

    def request(self, flow: Any) -> None:
        with self._lock:
            self._pending[flow.id] = flow

    def response(self, flow: Any) -> None:
        self._write(flow)

    def error(self, flow: Any) -> None:
        self._write(flow)

    def _tls_failed(self, data: Any, side: str) -> None:
        # Certificate pinning (the app rejects the proxy's certificate) or a server the proxy cannot reach over
        # TLS: no request is ever seen, so the handshake failure itself is the evidence of the contact.
        try:
            ctx = data.context
            server = ctx.server
            address = getattr(server, "address", None) or ("", 0)
            host = getattr(ctx.client, "sni", None) or getattr(server, "sni", None) or str(address[0] or "")
            if not host:
                return
            conn = data.conn
            started = getattr(conn, "timestamp_start", None) or time.time()
            event: dict[str, Any] = {
                "type": "network",
                "t": round(max(0.0, float(started) - self._t0), 6),
                "host": str(host),
                "method": "CONNECT",
                "scheme": "https",
                "tls": True,
                "error": f"{side} TLS handshake failed: {getattr(conn, 'error', None) or 'unknown error'}"[
                    :500
                ],
            }
            if address[1]:
                event["port"] = int(address[1])
            if self._process:
                event["process"] = self._process
            self._line(event, f"tls:{side}:{id(conn)}")
        except Exception:
            log.exception("apprights: cannot record a TLS failure")

    def tls_failed_client(self, data: Any) -> None:
        self._tls_failed(data, "client")

    def tls_failed_server(self, data: Any) -> None:
        self._tls_failed(data, "server")

    def done(self) -> None:
        # requests still in flight when the proxy stops are written too: the app sent them
        with self._lock:
            pending = list(self._pending.values())
        for flow in pending:
            self._write(flow, "in flight when the capture stopped")
        with self._lock:
            if self._out is not None:
                self._out.close()
                self._out = None


addons = [ApprightsTrace()]
