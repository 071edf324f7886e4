"""Bulk-ingest benchmark: N synthetic reports (~20 findings each) into SQLite and PostgreSQL.

    .venv/bin/python bench/bench_ingest.py [--reports 10000] [--findings 20] [--pg URL]

Prints reports/s and findings/s per database; target: 10,000 reports in ≤ 60 s on each.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apprights.service.db import make_engine, make_sessionmaker, upgrade
from apprights.service.scans.factory import make_report
from apprights.service.scans.ingest import IngestResult, ingest_payload
from apprights.service.submissions import service as submissions


def payload(n: int, findings: int) -> bytes:
    lines = (
        json.dumps(
            make_report(f"com.bench.app{i}", n_findings=findings, seed=i, version_code=i % 7 + 1),
            ensure_ascii=False,
        )
        for i in range(n)
    )
    return "\n".join(lines).encode("utf-8")


def _submit(factory: Any, data_dir: Path, data: bytes) -> tuple[IngestResult, float]:
    """What the API and the CLI do: keep the batch file and its submission row (committed) first, then ingest
    it linked to that submission and record the outcome. Returns the result and the seconds spent keeping it."""
    now = datetime.now(UTC)
    with factory() as session:
        t = time.perf_counter()
        sub = submissions.receive(session, data_dir, kind="scan_report", content=data, now=now, channel="cli")
        session.commit()
        keep = time.perf_counter() - t
        res = ingest_payload(session, data, "bench", now=now, submission_id=sub.id)
        submissions.finish(
            sub, received=res.received, accepted=res.stored, errors=res.errors, duplicates=res.duplicates
        )
        session.commit()
    return res, keep


def run(url: str, data: bytes, n: int, data_dir: Path) -> tuple[float, int]:
    upgrade(url)
    engine = make_engine(url)
    try:
        factory = make_sessionmaker(engine)
        t0 = time.perf_counter()
        res, keep = _submit(factory, data_dir, data)
        elapsed = time.perf_counter() - t0
        print(f"  keeping the {len(data) / 1e6:.0f} MB batch file and its submission row: {keep:.1f} s")
        assert res.stored == n and not res.errors, (res.stored, res.errors[:3])
        t1 = time.perf_counter()
        again, _ = _submit(factory, data_dir, data)
        assert again.stored == 0 and again.duplicates == n
        print(f"  re-ingest of the same batch (all duplicates): {time.perf_counter() - t1:.1f} s")
        return elapsed, res.findings
    finally:
        engine.dispose()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reports", type=int, default=10_000)
    ap.add_argument("--findings", type=int, default=20)
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = ap.parse_args()
    t = time.perf_counter()
    data = payload(args.reports, args.findings)
    print(
        f"generated {args.reports} reports ({len(data) / 1e6:.1f} MB JSON Lines) in {time.perf_counter() - t:.1f} s"
    )
    targets = []
    with tempfile.TemporaryDirectory() as tmp:
        targets.append(("sqlite", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", None))
        try:
            import psycopg

            admin = args.pg.replace("+psycopg", "")
            name = f"apprights_bench_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            targets.append(("postgresql", args.pg.rsplit("/", 1)[0] + "/" + name, (admin, name)))
        except Exception as e:  # no server: report and go on with SQLite
            print(f"postgresql: skipped ({type(e).__name__}: {e})")
        for kind, url, drop in targets:
            try:
                elapsed, findings = run(url, data, args.reports, Path(tmp) / f"data-{kind}")
                print(
                    f"{kind:<10} {args.reports} reports, {findings} findings in {elapsed:.1f} s: "
                    f"{args.reports / elapsed:,.0f} reports/s, {findings / elapsed:,.0f} findings/s"
                )
            finally:
                if drop:
                    import psycopg

                    with psycopg.connect(drop[0], autocommit=True) as conn:
                        conn.execute(f'DROP DATABASE IF EXISTS "{drop[1]}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
