"""Serving under load: no route blocks the event loop, the pool is sized to the worker threads, and reads are
served while a large batch is ingested (a real uvicorn server on loopback; SQLite and PostgreSQL)."""

from __future__ import annotations

import inspect
import json
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from apprights.service.scans.factory import make_report
from tests.service.conftest import World
from tests.service.live import live_service


def _calls(dependant: Any) -> list[Any]:
    out = []
    for d in dependant.dependencies:
        out.append(d.call)
        out.extend(_calls(d))
    return out


def api_routes(routes: list[Any]) -> list[APIRoute]:
    """Every APIRoute, also inside included routers (FastAPI may keep those nested)."""
    out: list[APIRoute] = []
    for r in routes:
        if isinstance(r, APIRoute):
            out.append(r)
        elif hasattr(r, "original_router"):
            out.extend(api_routes(r.original_router.routes))
        elif hasattr(r, "routes"):
            out.extend(api_routes(r.routes))
    return out


# coroutine dependencies that never block: no I/O, or their I/O handed to worker threads
# (``_form_files`` returns the multipart form FastAPI has already parsed for the route's Form fields: Starlette
# caches it on the request, so awaiting it again does no I/O)
NON_BLOCKING = {"get_session", "get_now", "get_settings", "page_params", "Roles", "StreamedBody", "_form_files"}


def test_no_route_blocks_the_event_loop(world: World) -> None:
    """Every endpoint is a plain ``def`` (run in the thread pool); the only coroutine dependencies are the
    ones known not to block (``NON_BLOCKING``)."""
    app = world.client.app
    routes = api_routes(app.routes)
    assert len(routes) > 80  # the API and the pages
    offenders = []
    for route in routes:
        if inspect.iscoroutinefunction(route.endpoint):
            offenders.append(f"{sorted(route.methods)} {route.path}")
        for call in _calls(route.dependant):
            fn = call if inspect.isfunction(call) or inspect.ismethod(call) else type(call).__call__
            is_async = inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn)
            name = getattr(call, "__name__", type(call).__name__)
            if is_async and name not in NON_BLOCKING:
                offenders.append(f"{route.path}: dependency {name}")
    assert not offenders, offenders


def test_the_pool_is_sized_to_the_worker_threads(world: World) -> None:
    import anyio

    app = world.client.app
    settings = app.state.settings
    assert app.state.engine.pool.size() >= settings.worker_threads
    client: TestClient = world.client
    assert client.portal is not None
    tokens = client.portal.call(lambda: anyio.to_thread.current_default_thread_limiter().total_tokens)
    assert tokens == settings.worker_threads


def _batch(n: int) -> bytes:
    return "\n".join(
        json.dumps(make_report(f"com.load.app{i}", n_findings=20, seed=i)) for i in range(n)
    ).encode()


def test_reads_are_served_while_a_large_batch_is_ingested(db_url: str, tmp_path: Path) -> None:
    body = _batch(1200)  # ≈ 17 MB: over the synchronous limit
    with live_service(db_url, tmp_path / "data") as live:
        w = live.world
        h = w.h("ministry")
        latencies: list[float] = []
        errors: list[str] = []
        stop = threading.Event()

        def reader() -> None:
            with httpx.Client(base_url=live.url, timeout=30) as c:
                while not stop.is_set():
                    t = time.perf_counter()
                    try:
                        r = c.get("/api/v1/cases", headers=h)
                        if r.status_code != 200:
                            errors.append(f"{r.status_code} {r.text[:100]}")
                    except httpx.HTTPError as e:
                        errors.append(repr(e))
                    latencies.append(time.perf_counter() - t)

        readers = [threading.Thread(target=reader) for _ in range(4)]
        for t in readers:
            t.start()
        try:
            t0 = time.perf_counter()
            r = httpx.post(
                f"{live.url}/api/v1/scans",
                content=body,
                headers={**w.h("agency"), "Content-Type": "application/x-ndjson"},
                timeout=120,
            )
            accepted_s = time.perf_counter() - t0
            assert r.status_code == 202, r.text[:300]
            job_id = r.json()["id"]
            deadline = time.monotonic() + 180
            while True:
                job = httpx.get(f"{live.url}/api/v1/jobs/{job_id}", headers=w.h("agency"), timeout=30).json()
                if job["status"] == "done":
                    break
                assert time.monotonic() < deadline, job
                time.sleep(0.2)
        finally:
            stop.set()
            for t in readers:
                t.join()
        assert job["outcome"] == "accepted" and job["items_accepted"] == 1200, job
        assert not errors, errors[:5]
        assert len(latencies) > 20
        latencies.sort()
        # generous bounds for a shared 2-core machine; the blocking version stalled reads for the whole ingest
        assert latencies[int(len(latencies) * 0.95)] < 1.0, latencies[-10:]
        assert latencies[-1] < 3.0, latencies[-10:]
        assert accepted_s < 30


def test_more_requests_than_threads_and_connections_queue_instead_of_failing(
    db_url: str, tmp_path: Path
) -> None:
    """2 worker threads (so 6 + 4 pooled connections) and 40 concurrent reads: each request waits for a session
    slot on the event loop instead of taking a connection and then waiting for a thread held by a request that
    waits for a connection (that deadlock ended in pool time-outs, answered 500/503)."""
    from concurrent.futures import ThreadPoolExecutor

    with live_service(db_url, tmp_path / "data", worker_threads=2) as live:
        h = live.world.h("ministry")

        def read(_: int) -> int:
            with httpx.Client(base_url=live.url, timeout=60) as c:
                return c.get("/api/v1/cases", headers=h).status_code

        t = time.perf_counter()
        with ThreadPoolExecutor(max_workers=40) as pool:
            statuses = list(pool.map(read, range(80)))
        elapsed = time.perf_counter() - t
    assert statuses == [200] * 80, sorted(set(statuses))
    assert elapsed < 9  # a single pool time-out (10 s) would exceed this
