"""A running service on loopback (uvicorn in a thread) with one account per role, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.service.conftest import ADMIN_PASSWORD, Clock, World, build_world


@dataclass
class Live:
    url: str
    app: Any
    world: World


@contextmanager
def live_service(db_url: str, data_dir: Path, **overrides: Any) -> Iterator[Live]:
    from apprights.service.app import create_app
    from apprights.service.settings import Settings
    from apprights.testing.server import serve_in_thread

    settings = Settings(
        db_url=db_url, data_dir=data_dir, admin_password=ADMIN_PASSWORD, secret_key="test", **overrides
    )
    clock = Clock()
    app = create_app(settings, clock=clock)
    with serve_in_thread(app) as url, httpx.Client(base_url=url, timeout=60) as client:
        yield Live(url, app, build_world(client, clock, settings))
