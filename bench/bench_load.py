"""Serving under load: concurrent readers of the case list while large scan batches are ingested.

    .venv/bin/python bench/bench_load.py [--db sqlite|postgresql|both] [--seconds 30] [--readers 32]
                                         [--ingesters 2] [--batch-mb 84] [--pg URL] [--server-workers N]
                                         [--server-loop auto|asyncio] [--server-http auto|h11]
                                         [--job-nice 10] [--client httpx|raw]

Starts ``apprights`` under uvicorn in a separate process on 127.0.0.1 (a fresh SQLite file or a fresh PostgreSQL
database), seeds cases, then for ``--seconds``: ``--readers`` clients loop ``GET /api/v1/cases`` and
``--ingesters`` clients each POST a ``--batch-mb`` JSON-Lines batch (answered ``202``, ingested in the background;
they poll ``/api/v1/jobs/{id}`` and post again when it is done). Prints read p50/p95/p99, reads/s, errors and
ingest throughput as a Markdown table row. Target (issue 9): 0 errors, read p95 ≤ 300 ms while ingesting.
Loopback only; every loop is bounded by the deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ADMIN_PASSWORD = "bench-load-password"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def serve(db_url: str, data_dir: str, port: int, threads: int, opts: argparse.Namespace) -> None:
    """In the server process: migrate, build the app and serve it on loopback (``--server-workers`` uvicorn
    worker processes; with more than one, each builds its app from the environment as ``apprights serve
    --workers N`` does)."""
    import uvicorn

    from apprights.service.app import create_app
    from apprights.service.db import upgrade
    from apprights.service.settings import Settings

    upgrade(db_url)
    extra: dict[str, object] = {}
    if "worker_threads" in Settings.__dataclass_fields__:  # absent in a --server-src baseline before issue 9
        extra["worker_threads"] = threads
    if "job_nice" in Settings.__dataclass_fields__:
        extra["job_nice"] = opts.job_nice
    settings = Settings(
        db_url=db_url,
        data_dir=Path(data_dir),
        admin_password=ADMIN_PASSWORD,
        secret_key="bench-load",
        **extra,  # type: ignore[arg-type]
    )
    server = {"loop": opts.server_loop, "http": opts.server_http, "log_level": "warning"}
    if opts.server_workers <= 1:
        uvicorn.run(create_app(settings), host="127.0.0.1", port=port, **server)  # type: ignore[arg-type]
        return
    import dataclasses

    from apprights.service.app import prepare, system_clock
    from apprights.service.db import make_engine, make_sessionmaker

    settings = dataclasses.replace(settings, worker_processes=opts.server_workers)
    engine = make_engine(db_url)
    prepare(settings, make_sessionmaker(engine), system_clock())
    engine.dispose()
    os.environ.update(
        {
            "APPRIGHTS_DB": db_url,
            "APPRIGHTS_DATA_DIR": data_dir,
            "APPRIGHTS_SECRET_KEY": "bench-load",
            "APPRIGHTS_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "APPRIGHTS_WORKERS": str(opts.server_workers),
            "APPRIGHTS_WORKER_THREADS": str(threads),
            "APPRIGHTS_JOB_NICE": str(opts.job_nice),
        }
    )
    uvicorn.run(
        "apprights.service.app:create_app_from_env",
        factory=True,
        workers=opts.server_workers,
        host="127.0.0.1",
        port=port,
        **server,  # type: ignore[arg-type]
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def make_batch(prefix: str, target_bytes: int) -> tuple[bytes, int]:
    from apprights.service.scans.factory import make_report

    lines: list[bytes] = []
    size = 0
    i = 0
    while size < target_bytes:
        line = json.dumps(make_report(f"{prefix}{i}", n_findings=20, seed=i), ensure_ascii=False).encode()
        lines.append(line)
        size += len(line) + 1
        i += 1
    return b"\n".join(lines), i


@dataclass
class Stats:
    read_latencies: list[float] = field(default_factory=list)
    read_errors: list[str] = field(default_factory=list)
    ingest_errors: list[str] = field(default_factory=list)
    batches_done: int = 0
    reports_done: int = 0
    bytes_posted: int = 0
    accept_latencies: list[float] = field(default_factory=list)
    read_start: float = 0.0
    read_end: float = 0.0


async def seed(client: httpx.AsyncClient, n_apps: int) -> dict[str, str]:
    """A ministry token, an agency token, and ``n_apps`` apps with confirmed findings (so, open cases)."""
    r = await client.post("/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    r.raise_for_status()
    session = {"Authorization": f"Bearer {r.json()['token']}"}
    client.cookies.clear()
    me = (await client.get("/api/v1/me", headers=session)).json()
    tok = (
        await client.post(f"/api/v1/users/{me['id']}/tokens", json={"name": "bench"}, headers=session)
    ).json()
    ministry = {"Authorization": f"Bearer {tok['token']}"}
    agency = (
        await client.post(
            "/api/v1/agencies", json={"code": "bench", "name": "基准检测机构"}, headers=ministry
        )
    ).json()
    user = (
        await client.post(
            "/api/v1/users",
            json={"username": "bench-agency", "role": "agency", "agency_id": agency["id"]},
            headers=ministry,
        )
    ).json()
    atok = (
        await client.post(f"/api/v1/users/{user['id']}/tokens", json={"name": "bench"}, headers=ministry)
    ).json()
    agency_h = {"Authorization": f"Bearer {atok['token']}"}
    from apprights.service.scans.factory import make_report

    seed_lines = "\n".join(
        json.dumps(make_report(f"com.seed.app{i}", n_findings=3, seed=i)) for i in range(n_apps)
    )
    r = await client.post(
        "/api/v1/scans",
        content=seed_lines.encode(),
        headers={**agency_h, "Content-Type": "application/x-ndjson"},
    )
    r.raise_for_status()
    offset = 0
    while True:
        page = (
            await client.get(
                "/api/v1/findings",
                params={"status": "pending", "limit": 200, "offset": offset},
                headers=ministry,
            )
        ).json()
        if not page["items"]:
            break
        for f in page["items"]:
            rr = await client.post(
                f"/api/v1/findings/{f['id']}/review", json={"decision": "confirm"}, headers=ministry
            )
            rr.raise_for_status()
        offset += 0  # confirmed findings leave the pending list
        if page["total"] <= len(page["items"]):
            break
    return {"ministry": ministry["Authorization"], "agency": agency_h["Authorization"]}


async def reader(client: httpx.AsyncClient, token: str, deadline: float, stats: Stats, k: int) -> None:
    offsets = (0, 50, 100)
    i = k
    while time.monotonic() < deadline:
        t = time.perf_counter()
        try:
            r = await client.get(
                "/api/v1/cases",
                params={"limit": 50, "offset": offsets[i % 3]},
                headers={"Authorization": token},
            )
            if r.status_code != 200:
                stats.read_errors.append(f"{r.status_code} {r.text[:120]}")
        except httpx.HTTPError as e:
            stats.read_errors.append(repr(e))
        stats.read_latencies.append(time.perf_counter() - t)
        stats.read_end = max(stats.read_end, time.monotonic())
        i += 1


async def raw_reader(url: str, token: str, deadline: float, stats: Stats, k: int) -> None:
    """The same reads as ``reader`` with a lean client: one keep-alive HTTP/1.1 connection on raw asyncio
    streams, the whole response read (status line, headers, ``Content-Length`` body). It measures the same
    request and response; it just spends less of the shared CPU on the client side than httpx does."""
    host, port = url.removeprefix("http://").split(":")
    offsets = (0, 50, 100)
    i = k
    reqs = [
        (
            f"GET /api/v1/cases?limit=50&offset={off} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Authorization: {token}\r\nAccept: application/json\r\n\r\n"
        ).encode()
        for off in offsets
    ]
    conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    while time.monotonic() < deadline:
        t = time.perf_counter()
        try:
            if conn is None:
                conn = await asyncio.open_connection(host, int(port))
            rd, wr = conn
            wr.write(reqs[i % 3])
            head = await asyncio.wait_for(rd.readuntil(b"\r\n\r\n"), 60)
            status = int(head.split(b" ", 2)[1])
            length = 0
            close = False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
            body = await asyncio.wait_for(rd.readexactly(length), 60)
            if status != 200:
                stats.read_errors.append(f"{status} {body[:120]!r}")
            elif not body.startswith(b'{"items":'):
                stats.read_errors.append(f"unexpected body {body[:120]!r}")
            if close:
                wr.close()
                conn = None
        except (
            TimeoutError,
            OSError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            ValueError,
            IndexError,
        ) as e:
            stats.read_errors.append(repr(e))
            if conn is not None:
                conn[1].close()
            conn = None
        stats.read_latencies.append(time.perf_counter() - t)
        stats.read_end = max(stats.read_end, time.monotonic())
        i += 1
    if conn is not None:
        conn[1].close()


async def ingester(
    client: httpx.AsyncClient, token: str, batch: bytes, n: int, deadline: float, stats: Stats
) -> None:
    h = {"Authorization": token, "Content-Type": "application/x-ndjson"}
    while time.monotonic() < deadline:
        t = time.perf_counter()
        try:
            r = await client.post("/api/v1/scans", content=batch, headers=h, timeout=300)
        except httpx.HTTPError as e:
            stats.ingest_errors.append(repr(e))
            return
        stats.accept_latencies.append(time.perf_counter() - t)
        stats.bytes_posted += len(batch)
        if r.status_code == 200:  # under the synchronous limit: ingested in the request
            stats.batches_done += 1
            stats.reports_done += r.json()["received"]
            continue
        if r.status_code != 202:
            stats.ingest_errors.append(f"{r.status_code} {r.text[:200]}")
            return
        job_id = r.json()["id"]
        while time.monotonic() < deadline + 300:  # a started job is waited for (bounded)
            await asyncio.sleep(0.5)
            try:
                job = (await client.get(f"/api/v1/jobs/{job_id}", headers={"Authorization": token})).json()
            except httpx.HTTPError as e:
                stats.ingest_errors.append(repr(e))
                return
            if job["status"] == "done":
                if job["outcome"] not in ("accepted", "duplicate", "partial"):
                    stats.ingest_errors.append(f"job {job_id}: {job['outcome']} {job['errors'][:2]}")
                stats.batches_done += 1
                stats.reports_done += job["items_received"]
                break


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(len(s) * q))] * 1000 if s else float("nan")


async def drive(url: str, args: argparse.Namespace, batches: list[tuple[bytes, int]]) -> tuple[Stats, float]:
    # keep-alive expiry under uvicorn's 5 s idle timeout, so the client never reuses a connection the server is
    # closing at that moment (that race shows up as ReadError and is not the server's failure)
    limits = httpx.Limits(
        max_connections=args.readers + args.ingesters + 4, max_keepalive_connections=64, keepalive_expiry=2.0
    )
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        tokens = await seed(client, args.seed_apps)
        stats = Stats()
        start = time.monotonic()
        stats.read_start = start
        deadline = start + args.seconds
        if args.client == "raw":
            tasks = [raw_reader(url, tokens["ministry"], deadline, stats, k) for k in range(args.readers)]
        else:
            tasks = [reader(client, tokens["ministry"], deadline, stats, k) for k in range(args.readers)]
        tasks += [ingester(client, tokens["agency"], b, n, deadline, stats) for b, n in batches]
        await asyncio.gather(*tasks)
        return stats, time.monotonic() - start


def wait_up(url: str, proc: subprocess.Popen[bytes], timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/api/v1/provinces", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit("server did not start")


def run_one(kind: str, args: argparse.Namespace, batches: list[tuple[bytes, int]]) -> str:
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    pg_name = ""
    if kind == "sqlite":
        db_url = f"sqlite:///{work / 'load.sqlite3'}"
    else:
        import psycopg

        pg_name = f"apprights_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{pg_name}"')
        db_url = args.pg.rsplit("/", 1)[0] + "/" + pg_name
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPRIGHTS_")}
    if (
        args.server_src
    ):  # serve another checkout's code (e.g. `git archive main`) for a before/after comparison
        env["PYTHONPATH"] = str(Path(args.server_src).resolve() / "src")
    proc = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            db_url,
            str(work / "data"),
            str(port),
            str(args.threads),
            "--server-workers",
            str(args.server_workers),
            "--server-loop",
            args.server_loop,
            "--server-http",
            args.server_http,
            "--job-nice",
            str(args.job_nice),
        ],
        env=env,
    )
    try:
        wait_up(url, proc)
        stats, elapsed = asyncio.run(drive(url, args, batches))
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        if pg_name:
            import psycopg

            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    lat = stats.read_latencies
    window = max(stats.read_end - stats.read_start, 1e-9)
    errors = len(stats.read_errors) + len(stats.ingest_errors)
    for what, errs in (("read", stats.read_errors), ("ingest", stats.ingest_errors)):
        for e in errs[:3]:
            print(f"  {what} error ({len(errs)} in all):", e, file=sys.stderr)
    mb = stats.bytes_posted / 1e6
    return (
        f"| {kind}{args.label} | {args.readers} | {args.ingesters} × {args.batch_mb:g} MB | {window:.1f} s | {len(lat)} | "
        f"{len(lat) / window:.0f} | {pct(lat, 0.5):.0f} | {pct(lat, 0.95):.0f} | {pct(lat, 0.99):.0f} | "
        f"{max(lat) * 1000 if lat else float('nan'):.0f} | {errors} | {stats.batches_done} ({stats.reports_done} reports) | "
        f"{mb:.0f} MB in {elapsed:.0f} s | {pct(stats.accept_latencies, 0.5) / 1000:.1f} s |"
    )


HEADER = (
    "| database | readers | ingesters | window | reads | reads/s | p50 ms | p95 ms | p99 ms | max ms | errors | "
    "batches ingested | posted | 202 after (p50) |\n|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--readers", type=int, default=32)
    ap.add_argument("--ingesters", type=int, default=2)
    ap.add_argument("--batch-mb", type=float, default=84.0)
    ap.add_argument("--seed-apps", type=int, default=150)
    ap.add_argument("--pg", default=PG_ADMIN)
    ap.add_argument("--server-src", default="", help="serve the apprights package from DIR/src (a baseline)")
    ap.add_argument("--label", default="", help="appended to the database column (e.g. ', before')")
    ap.add_argument(
        "--threads", type=int, default=32, help="the server's worker threads (Settings.worker_threads)"
    )
    ap.add_argument(
        "--server-workers", type=int, default=1, help="uvicorn worker processes (serve --workers)"
    )
    ap.add_argument("--server-loop", choices=["auto", "asyncio", "uvloop"], default="auto")
    ap.add_argument("--server-http", choices=["auto", "h11", "httptools"], default="auto")
    ap.add_argument(
        "--job-nice", type=int, default=10, help="niceness of the ingest worker (Settings.job_nice)"
    )
    ap.add_argument(
        "--client", choices=["httpx", "raw"], default="httpx", help="readers: httpx, or raw asyncio HTTP/1.1"
    )
    ap.add_argument(
        "--serve", nargs=4, metavar=("DB_URL", "DATA_DIR", "PORT", "THREADS"), help=argparse.SUPPRESS
    )
    args = ap.parse_args()
    if args.serve:
        serve(args.serve[0], args.serve[1], int(args.serve[2]), int(args.serve[3]), args)
        return
    if (
        not 1 <= args.seconds <= 600
        or not 1 <= args.readers <= 256
        or not 0 <= args.ingesters <= 8
        or not 1 <= args.server_workers <= 16
    ):
        raise SystemExit(
            "bench_load: --seconds 1..600, --readers 1..256, --ingesters 0..8, --server-workers 1..16"
        )
    print(f"load average before: {os.getloadavg()[0]:.1f}", file=sys.stderr)
    t = time.perf_counter()
    batches = [make_batch(f"com.load{k}.app", int(args.batch_mb * 1e6)) for k in range(args.ingesters)]
    print(f"generated {len(batches)} batches in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    print(HEADER)
    for kind in ["sqlite", "postgresql"] if args.db == "both" else [args.db]:
        print(run_one(kind, args, batches), flush=True)


if __name__ == "__main__":
    main()
