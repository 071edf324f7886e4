"""The README walk-through, run against a real uvicorn server on 127.0.0.1 (SQLite)."""

from __future__ import annotations

import importlib.util
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]


class Server:
    """uvicorn serving the app in a background thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Server, str]]:
    from apprights.service.app import create_app
    from apprights.service.db import upgrade
    from apprights.service.settings import Settings

    password = "walkthrough-pass"
    s = Settings(
        db_url=f"sqlite:///{tmp_path / 'w.sqlite3'}", data_dir=tmp_path / "data", admin_password=password
    )
    upgrade(s.db_url)
    with Server(create_app(s)) as server:
        yield server, password


def test_walkthrough_runs_end_to_end(served: tuple[Server, str], tmp_path: Path) -> None:
    server, password = served
    spec = importlib.util.spec_from_file_location("walkthrough", REPO / "examples" / "walkthrough.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    lines: list[str] = []
    with httpx.Client(base_url=server.url, timeout=60) as client:
        result = mod.run(client, password, tmp_path / "tongbao.pdf", log=lines.append)
        assert result["notice"]["deadline"] == "2026-09-24"
        assert result["state"] == "escalated_public"
        assert result["pdf"].read_bytes().startswith(b"%PDF")
        page = client.get("/public/notices").text
        assert "关于侵害用户权益行为的APP通报（示例）" in page
    assert any("audit:" in line for line in lines)
