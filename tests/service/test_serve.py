"""``apprights serve`` with no setup: creates ./var/apprights.sqlite3, migrates it and answers."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

SCRIPT = "import typer; from apprights.cli.service_cmds import serve_cmd; typer.run(serve_cmd)"


def test_serve_starts_on_sqlite_with_no_configuration(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPRIGHTS_")}
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/api/v1/provinces", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert r.status_code == 200 and len(r.json()) == 31
        assert (tmp_path / "var" / "apprights.sqlite3").exists()
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json").json()["info"]["title"]
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    # the first ministry account's generated password is logged once, so the operator can log in
    assert "created the first ministry account 'admin' with password" in out


def test_serve_with_several_worker_processes(db_url: str, tmp_path: Path) -> None:
    """``--workers 2``: migrated and first account created once by the launcher, two service processes answer,
    and a background job accepted by one is reported the same by whichever process answers."""
    import json
    import re

    from apprights.service.scans.factory import make_report

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPRIGHTS_")}
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", SCRIPT, "--port", str(port), "--db", db_url, "--workers", "2"],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(f"{url}/api/v1/provinces", timeout=2).raise_for_status()
                break
            except httpx.TransportError:
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        children = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _ppid(p) == proc.pid]
        assert len(children) >= 2, log.read_text()  # uvicorn's two worker processes
        m = re.search(r"created the first ministry account 'admin' with password (\S+)", log.read_text())
        assert m, log.read_text()
        token = httpx.post(
            f"{url}/api/v1/auth/login", json={"username": "admin", "password": m.group(1)}
        ).json()["token"]
        h = {"Authorization": f"Bearer {token}"}
        body = "\n".join(json.dumps(make_report(f"com.workers.app{i}", n_findings=1)) for i in range(3))
        r = httpx.post(
            f"{url}/api/v1/scans",
            content=body.encode(),
            headers={**h, "Prefer": "respond-async", "Content-Type": "application/x-ndjson"},
        )
        assert r.status_code == 202, r.text
        job_id = r.json()["id"]
        deadline = time.monotonic() + 120
        while True:  # a new connection each time: either process may answer
            job = httpx.get(f"{url}/api/v1/jobs/{job_id}", headers={**h, "Connection": "close"}).json()
            if job["status"] == "done":
                break
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        assert (job["outcome"], job["items_accepted"]) == ("accepted", 3)
        seen = {
            httpx.get(f"{url}/api/v1/jobs/{job_id}", headers={**h, "Connection": "close"}).json()["status"]
            for _ in range(10)
        }
        assert seen == {"done"}
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    text = log.read_text()
    assert text.count("created the first ministry account") == 1, text


def test_serve_refuses_a_bad_worker_count(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-c", SCRIPT, "--workers", "0"], cwd=tmp_path, capture_output=True, text=True
    )
    assert r.returncode == 2 and "--workers" in r.stderr and "Traceback" not in r.stderr


def _ppid(proc_dir: Path) -> int:
    try:
        stat = (proc_dir / "stat").read_text()
    except OSError:
        return -1
    return int(stat.rsplit(")", 1)[1].split()[1])
