"""Fetching a privacy policy by URL: the one audited network path of the policy extractor.

Off by default (``FetchConfig.enabled``). http(s) only, size and time limits, redirects followed by hand (at
most ``max_redirects``), and every hop's host resolved and checked: private, loopback, link-local, multicast,
reserved and unspecified addresses are refused, and the connection goes to the checked address (no second DNS
look-up that could be rebound). ``allow_loopback`` exists for tests against a local server only.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from apprights.errors import InputError
from apprights.extractors.policy.text import MAX_BYTES

log = logging.getLogger(__name__)

_ACCEPTED_TYPES = ("text/html", "text/plain", "text/markdown", "text/x-markdown", "application/xhtml+xml")


@dataclass(frozen=True)
class FetchConfig:
    enabled: bool = False
    max_bytes: int = MAX_BYTES
    timeout_s: float = 15.0  # per socket operation and for the whole download
    max_redirects: int = 3
    allow_loopback: bool = False  # tests only: permits 127.0.0.0/8 and ::1, nothing else
    user_agent: str = "apprights-policy-fetch/1"


@dataclass(frozen=True)
class FetchedPolicy:
    url: str  # the final URL after redirects
    content_type: str
    data: bytes


def _check_ip(url: str, ip: str, config: FetchConfig) -> None:
    addr = ipaddress.ip_address(ip)
    if addr.is_loopback and config.allow_loopback:
        return
    if (
        addr.is_private
        or addr.is_loopback
        or addr.is_link_local
        or addr.is_multicast
        or addr.is_reserved
        or addr.is_unspecified
        or not addr.is_global
    ):
        raise InputError(url, f"refusing to fetch from non-public address {ip}")


def _resolve(url: str, host: str, port: int, config: FetchConfig) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(url, f"cannot resolve host {host!r} ({exc})") from None
    ips = sorted({str(i[4][0]) for i in infos})
    if not ips:
        raise InputError(url, f"host {host!r} has no address")
    for ip in ips:  # every address must be public, not just the first
        _check_ip(url, ip, config)
    return ips[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def fetch_policy(url: str, config: FetchConfig) -> FetchedPolicy:
    """Download a policy page. Raises ``InputError`` for anything refused or failed; never follows a redirect
    without checking it."""
    if not config.enabled:
        raise InputError(url, "fetching policies by URL is disabled (enable it explicitly)")
    deadline = time.monotonic() + config.timeout_s
    current = url
    for _hop in range(config.max_redirects + 1):
        parts = urlsplit(current)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(current, "only http(s) URLs with a host can be fetched")
        if parts.username or parts.password:
            raise InputError(current, "URLs with credentials are refused")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        ip = _resolve(current, parts.hostname, port, config)
        conn_cls = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise InputError(current, f"download took longer than {config.timeout_s} s")
        conn = conn_cls(parts.hostname, port, ip, timeout=remaining)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request(
                "GET", path, headers={"User-Agent": config.user_agent, "Accept": "text/html,text/plain"}
            )
            resp = conn.getresponse()
            if resp.status in (301, 302, 303, 307, 308):
                location = resp.getheader("Location")
                if not location:
                    raise InputError(current, f"redirect {resp.status} without a Location header")
                current = urljoin(current, location)
                log.info("policy fetch redirected to %s", current)
                continue
            if resp.status != 200:
                raise InputError(current, f"HTTP status {resp.status}")
            ctype = (resp.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if ctype and ctype not in _ACCEPTED_TYPES:
                raise InputError(current, f"unexpected content type {ctype!r}")
            length = resp.getheader("Content-Length")
            if length and length.isdigit() and int(length) > config.max_bytes:
                raise InputError(current, f"policy too large ({length} bytes > {config.max_bytes})")
            chunks: list[bytes] = []
            total = 0
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise InputError(current, f"download took longer than {config.timeout_s} s")
                # The whole download has one deadline: a server dripping a byte at a time must not keep a
                # worker for longer. read1 returns what has arrived instead of waiting for a full chunk.
                if conn.sock is not None:
                    conn.sock.settimeout(remaining)
                chunk = resp.read1(65536)
                if not chunk:
                    break
                total += len(chunk)
                if total > config.max_bytes:
                    raise InputError(current, f"policy too large (> {config.max_bytes} bytes)")
                chunks.append(chunk)
            return FetchedPolicy(current, ctype, b"".join(chunks))
        except (OSError, http.client.HTTPException) as exc:
            raise InputError(current, f"fetch failed ({exc.__class__.__name__}: {exc})") from None
        finally:
            conn.close()
    raise InputError(url, f"more than {config.max_redirects} redirects")
