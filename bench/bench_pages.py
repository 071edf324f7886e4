"""Page-load benchmark: console pages on a database with 200,000 findings (SQLite, optionally PostgreSQL).

    .venv/bin/python bench/bench_pages.py [--reports 2000] [--findings 100] [--repeat 5] [--pg URL]

Seeds the demo service (tools/web_demo.py), bulk-ingests ``reports × findings`` synthetic findings spread over
two provinces' enterprises, confirms a few hundred of them (cases), logs in through the login form as the
ministry and as a province, and times each page server-side through the ASGI app (median and worst of
``--repeat`` loads after a first, cold load which is reported and held to the target too). Target (issue 11): every page < 500 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

from sqlalchemy import func, select, text, update
from web_demo import PASSWORD, Api, make_app, seed

from apprights.service.apps.models import App
from apprights.service.orgs.models import Enterprise
from apprights.service.scans.factory import make_report
from apprights.service.scans.ingest import ingest_payload
from apprights.service.scans.models import Finding

TARGET_MS = 500.0
PAGES = (
    "/",
    "/findings",
    "/findings?problem_type=3",
    "/findings?sort=type",
    "/findings?sort=old&after=150000",
    "/findings?store=1&severity=high",
    "/cases",
    "/apps",
    "/notices",
    "/complaints",
    "/leads",
    "/removal-orders",
    "/stores/platform",
    "/public/notices",
    "/campaigns",
    "/findings?campaign=1",
    "/?campaign=1",
    "/users",
    "/password",
)
CAMPAIGNS = (1, 2, None)  # the demo's two campaigns; a third of the batches belong to none


def bulk(factory: Any, reports: int, per: int) -> int:
    now = datetime(2026, 9, 10, tzinfo=UTC)
    total = 0
    for start in range(0, reports, 500):
        lines = (
            json.dumps(make_report(f"com.bench.app{i}", label=f"应用{i}", n_findings=per, seed=i, store=("huawei", "xiaomi", "oppo")[i % 3]), ensure_ascii=False)
            for i in range(start, min(start + 500, reports))
        )  # fmt: skip
        with factory() as session:
            campaign = CAMPAIGNS[(start // 500) % len(CAMPAIGNS)]
            res = ingest_payload(
                session, "\n".join(lines).encode("utf-8"), "bench", now=now, campaign_id=campaign
            )
            session.commit()
            total += res.findings
    with factory() as session:
        ents = list(session.scalars(select(Enterprise.id).order_by(Enterprise.id)))
        for k, ent in enumerate(ents):
            session.execute(
                update(App)
                .where(App.package.like("com.bench.%"), App.id % len(ents) == k)
                .values(enterprise_id=ent)
            )
        session.commit()
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE"))  # as autovacuum would soon after a bulk load
            session.commit()
    return total


def login(client: Any, username: str) -> dict[str, str]:
    client.cookies.clear()
    r = client.post("/login", data={"username": username, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    cookies = dict(client.cookies)
    client.cookies.clear()
    return cookies


def time_pages(
    client: Any, cookies: dict[str, str], repeat: int, extra: tuple[str, ...] = ()
) -> list[tuple[str, int, float, float, float]]:
    out = []
    for path in PAGES + extra:
        client.cookies.clear()
        for k, v in cookies.items():
            client.cookies.set(k, v)
        t = time.perf_counter()
        r = client.get(path)  # the first load (cold: the dashboard's chart cache is empty) and its status
        first = (time.perf_counter() - t) * 1000
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - t) * 1000)
        out.append((path, r.status_code, first, statistics.median(times), max(times)))
    client.cookies.clear()
    return out


def run(db: str, args: argparse.Namespace) -> bool:
    from fastapi.testclient import TestClient

    with tempfile.TemporaryDirectory() as tmp:
        app, clock = make_app(Path(tmp), db_url=args.pg if db == "postgresql" else None)
        with TestClient(app) as client:
            names = seed(client, clock)
            t0 = time.perf_counter()
            n = bulk(app.state.sessionmaker, args.reports, args.findings)
            print(f"{db}: ingested {n:,} findings in {time.perf_counter() - t0:.1f} s")
            token = Api(client, "")
            cookies = login(client, names["ministry"])
            token.token = cookies["apprights_session"]
            with app.state.sessionmaker() as s:
                total = s.scalar(select(func.count()).select_from(Finding)) or 0
                ids = list(
                    s.scalars(
                        select(Finding.id).where(Finding.status == "pending").order_by(Finding.id).limit(300)
                    )
                )
            r = client.post(
                "/findings/bulk",
                data={"decision": "confirm", "ids": ids},
                cookies=cookies,
                follow_redirects=False,
            )
            assert r.status_code == 303, r.text[:300]
            print(f"{db}: {total:,} findings in the database; 300 confirmed in bulk")
            ok = True
            for role in ("ministry", "province"):
                case = (f"/cases/{names['response_case']}",) if "response_case" in names else ()
                rows = time_pages(client, login(client, names[role]), args.repeat, case)
                print(f"\n{db}, {role}: page | status | first load ms | median ms | worst ms")
                for path, status, first, med, worst in rows:
                    slow = max(first, worst) >= TARGET_MS
                    flag = "  <-- over target" if status == 200 and slow else ""
                    print(f"  {path:40s} {status:4d} {first:8.1f} {med:8.1f} {worst:8.1f}{flag}")
                    ok &= status != 200 or not slow
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=2000)
    ap.add_argument("--findings", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--pg",
        default="",
        help="also run on PostgreSQL: a server URL such as postgresql+psycopg://postgres@127.0.0.1:5432/test "
        "(a scratch database is created next to it and dropped afterwards)",
    )
    args = ap.parse_args()
    ok = run("sqlite", args)
    if args.pg:
        import uuid

        import psycopg

        admin = args.pg.replace("+psycopg", "")
        name = f"apprights_bench_pages_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            ok &= run(
                "postgresql",
                argparse.Namespace(**{**vars(args), "pg": args.pg.rsplit("/", 1)[0] + "/" + name}),
            )
        finally:
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print("\nall pages under 500 ms" if ok else "\nsome pages over 500 ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
