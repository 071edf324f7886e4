"""`--backend ray` for real (issue 12): the default address starts a local Ray for the campaign; a wrong address
is one line naming --ray-address. Skips with a reason where Ray is not installed (it is an extra:
``pip install 'apprights[ray]'``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.batch.apps import NEWS_APK, make_app

pytest.importorskip("ray", reason="Ray is an optional extra (pip install 'apprights[ray]')")


def campaign(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    return subprocess.run(
        [sys.executable, "-m", "apprights.cli.main", "campaign", "run", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def test_default_address_starts_a_local_ray(tmp_path: Path) -> None:
    src = tmp_path / "apks"
    src.mkdir()
    (src / "news.apk").write_bytes(NEWS_APK.read_bytes())
    make_app(src / "small.apk", "com.t.small")
    (src / "zz-bad.apk").write_bytes(b"PK\x03\x04garbage")
    out = tmp_path / "out"
    r = campaign(str(src), "--out", str(out), "--backend", "ray", "--workers", "1", "--timeout", "120")
    assert r.returncode == 0, r.stderr
    lines = [json.loads(x) for x in (out / "reports.jsonl").read_text(encoding="utf-8").splitlines()]
    by_apk = {Path(x["job"]["apk"]).name: x for x in lines}
    assert set(by_apk) == {"news.apk", "small.apk", "zz-bad.apk"}
    assert by_apk["news.apk"]["app"]["package"] == "com.example.news" and by_apk["news.apk"]["findings"]
    assert by_apk["zz-bad.apk"]["errors"] and not by_apk["zz-bad.apk"]["findings"]
    summary = json.loads(r.stdout)
    assert summary["scanned"] == 3 and summary["failed"] == 1


def test_wrong_address_names_the_flag(tmp_path: Path) -> None:
    r = campaign(str(NEWS_APK), "--out", str(tmp_path / "out"), "--backend", "ray", "--ray-address", "auto")
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("apprights: error: --ray-address auto: cannot join a Ray")
    assert "`--address`" not in lines[0] and "Traceback" not in r.stderr


def test_ray_address_without_the_ray_backend_is_a_usage_error(tmp_path: Path) -> None:
    r = campaign(str(NEWS_APK), "--out", str(tmp_path / "out"), "--ray-address", "ray://10.0.0.1:10001")
    assert r.returncode == 2 and "needs --backend ray" in r.stderr
