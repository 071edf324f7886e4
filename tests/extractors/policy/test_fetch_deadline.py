"""The fetcher's time limit holds for the whole download, even against a server that drips bytes."""

import socket
import threading
import time

import pytest

from apprights.errors import InputError
from apprights.extractors.policy.fetch import FetchConfig, fetch_policy


def _drip_server(sock: socket.socket, stop: threading.Event) -> None:
    conn, _ = sock.accept()
    with conn:
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n")
        while not stop.is_set():
            try:
                conn.sendall(b"a")
            except OSError:
                return
            time.sleep(0.2)


def test_dripping_server_is_cut_at_the_deadline() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    stop = threading.Event()
    t = threading.Thread(target=_drip_server, args=(sock, stop), daemon=True)
    t.start()
    port = sock.getsockname()[1]
    cfg = FetchConfig(enabled=True, timeout_s=1.5, allow_loopback=True)
    started = time.monotonic()
    try:
        with pytest.raises(InputError, match="longer than"):
            fetch_policy(f"http://127.0.0.1:{port}/p", cfg)
    finally:
        stop.set()
        sock.close()
    assert time.monotonic() - started < 4.0
