"""The URL fetcher against a local http.server on 127.0.0.1 only (loopback allowed by config for the test)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from apprights.errors import InputError
from apprights.extractors.policy import extract_policy_bytes
from apprights.extractors.policy.fetch import FetchConfig, fetch_policy

POLICY = "<html><body><h1>隐私政策</h1><p>我们会收集您的位置信息，用于导航。</p></body></html>".encode()


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/policy":
            self._send(200, POLICY, "text/html; charset=utf-8")
        elif self.path == "/big":
            self._send(200, b"a" * 5000, "text/plain")
        elif self.path == "/image":
            self._send(200, b"\x89PNG", "image/png")
        elif self.path == "/to-policy":
            self._redirect("/policy")
        elif self.path == "/to-metadata":
            self._redirect("http://169.254.169.254/latest/meta-data/")
        elif self.path == "/to-private":
            self._redirect("http://10.1.2.3/policy")
        elif self.path == "/loop":
            self._redirect("/loop")
        elif self.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(30):
                self.wfile.write(b"x" * 10)
                self.wfile.flush()
                time.sleep(0.1)
        else:
            self._send(404, b"no", "text/plain")

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


LOOPBACK = FetchConfig(enabled=True, allow_loopback=True, timeout_s=5.0)


def test_fetches_and_analyses_policy(server):
    got = fetch_policy(server + "/to-policy", LOOPBACK)
    assert got.url.endswith("/policy") and got.content_type == "text/html"
    facts = extract_policy_bytes(got.data, source=got.url)
    assert "location" in facts.declared_types()


def test_disabled_by_default(server):
    with pytest.raises(InputError, match="disabled"):
        fetch_policy(server + "/policy", FetchConfig())


def test_loopback_refused_unless_allowed(server):
    with pytest.raises(InputError, match=r"non-public address 127\.0\.0\.1"):
        fetch_policy(server + "/policy", FetchConfig(enabled=True))


@pytest.mark.parametrize("path", ["/to-metadata", "/to-private"])
def test_redirect_to_private_address_refused(server, path):
    with pytest.raises(InputError, match="non-public address"):
        fetch_policy(server + path, LOOPBACK)


def test_limits(server):
    with pytest.raises(InputError, match="too large"):
        fetch_policy(server + "/big", FetchConfig(enabled=True, allow_loopback=True, max_bytes=1000))
    with pytest.raises(InputError, match="content type"):
        fetch_policy(server + "/image", LOOPBACK)
    with pytest.raises(InputError, match="redirects"):
        fetch_policy(server + "/loop", LOOPBACK)
    with pytest.raises(InputError, match="longer than"):
        fetch_policy(server + "/slow", FetchConfig(enabled=True, allow_loopback=True, timeout_s=0.5))
    with pytest.raises(InputError, match="status 404"):
        fetch_policy(server + "/missing", LOOPBACK)


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "http://user:pw@127.0.0.1/", "http:///x"]
)
def test_bad_urls_refused_without_network(url):
    with pytest.raises(InputError):
        fetch_policy(url, LOOPBACK)
