"""Hostile input through the real CLI, as a user runs it: ``python -m apprights.cli.main scan`` in a subprocess
under a 2 GiB address-space limit. Every bad input: exit code 2, exactly one line on stderr naming the file, no
traceback, done within 60 s."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.batch.apps import NEWS_APK, make_app, manifest
from tests.e2e.hostile import BUILDERS

AS_LIMIT = 2 * 1024 * 1024 * 1024
TIME_LIMIT = 60.0

KINDS: dict[str, tuple[list[str], str]] = {
    "apk": ([], ".apk"),
    "policy": (["--policy"], ".html"),
    "trace": (["--trace"], ".jsonl"),
    "listing": (["--listing"], ".json"),
    # a user-supplied Exodus tracker file (with a listing to scan)
    "exodus": (["--listing", str(Path(__file__).resolve().parents[2] / "samples" / "listing-news.json"), "--exodus"],
               ".json"),
}  # fmt: skip
EXODUS_CASES = {"empty", "random", "directory", "missing", "sparse-200MB", "deep-json", "binary", "fifo"}
# archive tricks only mean something to the APK reader (to the others they are binary files, covered below)
ONLY_FOR = {"zip-bomb": {"apk"}, "lying-zip-bomb": {"apk"}, "zip-slip": {"apk"}, "gzip-line-bomb": {"trace"}}
# A file of braces is a (meaningless) text policy, not an error: it must still scan without a traceback.
ACCEPTED = {("policy", "deep-json")}
# BUGS-hostile.md #1 (trace gzip-line-bomb) is fixed: gzip ratio cap 50, 5M events
XFAIL: dict[tuple[str, str], str] = {}


def cli(*args: str, timeout: float = TIME_LIMIT) -> tuple[subprocess.CompletedProcess[str] | None, float]:
    cmd = [sys.executable, "-m", "apprights.cli.main", *args]
    if shutil.which("prlimit"):
        cmd = ["prlimit", f"--as={AS_LIMIT}", "--", *cmd]
    started = time.perf_counter()
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, errors="replace")
    except subprocess.TimeoutExpired:
        return None, time.perf_counter() - started
    return r, time.perf_counter() - started


@dataclass
class Outcome:
    path: Path
    result: subprocess.CompletedProcess[str] | None
    seconds: float


CASES = [
    (kind, name)
    for kind in KINDS
    for name in BUILDERS
    if kind in ONLY_FOR.get(name, set(KINDS)) and (kind != "exodus" or name in EXODUS_CASES)
]


def run_case(root: Path, kind: str, name: str) -> Outcome:
    flag, suffix = KINDS[kind]
    d = root / f"{kind}-{name}"
    d.mkdir()
    path = BUILDERS[name](d, suffix)
    r, secs = cli("scan", *flag, str(path), "--format", "json")
    return Outcome(path, r, secs)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Outcome]:
    """All cases at once, two at a time (each is a separate CLI process)."""
    root = tmp_path_factory.mktemp("hostile")
    todo = [c for c in CASES if c not in XFAIL]
    with ThreadPoolExecutor(2) as ex:
        results = list(ex.map(lambda c: run_case(root, *c), todo))
    return dict(zip(todo, results, strict=True))


def check(o: Outcome, *, accepted: bool = False) -> None:
    r = o.result
    assert r is not None, f"{o.path}: no answer within {TIME_LIMIT} s"
    assert o.seconds < TIME_LIMIT
    assert "Traceback" not in r.stderr and "MemoryError" not in r.stderr, r.stderr[-2000:]
    if accepted:
        assert r.returncode in (0, 1, 2), r.stderr
        if r.returncode != 2:
            json.loads(r.stdout)
            return
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert str(o.path) in lines[0] and lines[0].startswith("apprights: error: ")
    assert r.stdout == ""


@pytest.mark.slow
@pytest.mark.parametrize(
    ("kind", "name"),
    [
        pytest.param(k, n, marks=pytest.mark.xfail(strict=False, run=False, reason=XFAIL[(k, n)]))
        if (k, n) in XFAIL
        else (k, n)
        for k, n in CASES
    ],
)
def test_hostile_input(
    kind: str, name: str, outcomes: dict[tuple[str, str], Outcome], tmp_path: Path
) -> None:
    o = outcomes[(kind, name)] if (kind, name) in outcomes else run_case(tmp_path, kind, name)
    check(o, accepted=(kind, name) in ACCEPTED)


def test_zip_slip_names_in_a_real_apk_are_warned_and_never_written(tmp_path: Path) -> None:
    evil = Path("/tmp/apprights-zipslip-evil.txt")
    evil.unlink(missing_ok=True)
    apk = make_app(tmp_path / "slip.apk", "com.t.slip")
    import zipfile

    with zipfile.ZipFile(apk, "a") as zf:
        zf.writestr("../../../../../../tmp/apprights-zipslip-evil.txt", b"evil")
        zf.writestr("/etc/apprights-evil", b"evil")
    r, _ = cli("scan", str(apk), "--format", "json", "--fail-on", "none")
    assert r is not None and r.returncode == 0, r and r.stderr
    rep = json.loads(r.stdout)
    assert rep["app"]["package"] == "com.t.slip"
    assert any("apprights-zipslip-evil" in w for w in rep.get("apk_warnings", [])), rep.get("apk_warnings")
    assert not evil.exists()


def test_multi_apk_scan_goes_on_after_a_bad_first_apk(tmp_path: Path) -> None:
    bad = BUILDERS["random"](tmp_path, ".apk")
    good = make_app(tmp_path / "good.apk", "com.t.good")
    r, secs = cli("scan", str(bad), str(NEWS_APK), str(good), "--format", "json", "--fail-on", "none")
    assert r is not None and secs < TIME_LIMIT
    assert r.returncode == 2 and "Traceback" not in r.stderr
    reports = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
    assert [x["app"]["package"] for x in reports] == ["com.example.news", "com.t.good"]
    errors = [x for x in r.stderr.splitlines() if x.startswith("apprights: error: ")]
    assert len(errors) == 1 and str(bad) in errors[0]
    assert "[3/3]" in r.stderr


def test_manifest_helper_is_valid_xml() -> None:
    import xml.etree.ElementTree as ET

    assert ET.fromstring(manifest("a.b", "android.permission.CAMERA")).get("package") == "a.b"


@pytest.mark.parametrize(
    "code",
    [
        pytest.param(
            "from apprights.extractors.trace import extract_traces as f\n"
            "from apprights.knowledge import Knowledge\nf([P], Knowledge.load())",
            id="trace",
        ),
        pytest.param("from apprights.extractors.listing import extract_listings as f\nf(P)", id="listing"),
        pytest.param("from apprights.extractors.policy import extract_policy as f\nf(P)", id="policy"),
        pytest.param("from apprights.extractors.apk import open_apk as f\nf(P)", id="apk"),
    ],
)
def test_extractors_called_directly_do_not_block_on_a_fifo(tmp_path: Path, code: str) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    prog = (
        f"from pathlib import Path\nfrom apprights.errors import InputError\nP = Path({str(fifo)!r})\n"
        f"try:\n    " + code.replace("\n", "\n    ") + "\nexcept InputError:\n    raise SystemExit(2)\n"
    )
    try:
        r = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True, timeout=3)
    except subprocess.TimeoutExpired:
        pytest.fail("the extractor blocked on a FIFO")
    assert r.returncode == 2, r.stderr[-1500:]


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_lone_surrogates_in_a_listing_never_break_the_output(tmp_path: Path, fmt: str) -> None:
    from tests.batch.apps import REPO

    listings = json.loads((REPO / "samples" / "listing-news.json").read_text(encoding="utf-8"))
    for key in ("app_name", "developer_name", "description", "icp_filing", "developer_uscc"):
        listings[0][key] = "x\ud800y"
    p = tmp_path / "listing.json"
    p.write_text(json.dumps(listings, ensure_ascii=True), encoding="utf-8")
    r, _ = cli("scan", "--listing", str(p), "--format", fmt, "--fail-on", "none")
    assert r is not None and "Traceback" not in r.stderr, r and r.stderr[-1500:]
    if r.returncode == 2:  # the listing reader refuses unpaired surrogates: one line naming the file
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and str(p) in lines[0] and r.stdout == ""
        return
    assert r.returncode == 0 and "\\ud800" in r.stdout  # accepted: written as an escape, output stays UTF-8
    if fmt == "json":
        json.loads(r.stdout)


def test_undecodable_file_name_and_a_latin1_stdout(tmp_path: Path) -> None:
    from tests.batch.apps import REPO

    name = os.fsencode(tmp_path) + b"/caf\xe9-listing.json"
    with open(name, "wb") as fh:
        fh.write((REPO / "samples" / "listing-news.json").read_bytes())
    cmd = [sys.executable, "-m", "apprights.cli.main", "scan", "--listing", name, "--format", "json"]
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    r = subprocess.run([*cmd, "--fail-on", "none"], capture_output=True, timeout=60, env=env)
    assert r.returncode == 0 and b"Traceback" not in r.stderr, r.stderr[-1500:]
    rep = json.loads(r.stdout.decode("utf-8"))
    assert rep["inputs"][0]["path"].endswith("caf\udce9-listing.json")
