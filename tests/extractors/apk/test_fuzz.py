"""Bounded fuzzing: mutated real manifests, resource tables and whole small APKs give only InputError."""

from __future__ import annotations

import tempfile
import zipfile
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apprights.errors import InputError
from apprights.extractors.apk import open_apk
from tests.conftest import shared_path
from tests.extractors.apk.factory import write_apk

SOURCE = "androguard__com.politedroid_4.apk"  # 18 KiB, v1-signed, with resources.arsc
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def source_entries() -> dict[str, bytes]:
    with zipfile.ZipFile(shared_path("apks", SOURCE)) as z:
        return {n: z.read(n) for n in ("AndroidManifest.xml", "resources.arsc", "classes.dex")}


edits = st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=24)
chunk_values = st.sampled_from([0, 1, 7, 8, 0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, 0x10000])


def mutate(
    data: bytes, byte_edits: list[tuple[int, int]], words: list[tuple[int, int]], cut: int | None
) -> bytes:
    buf = bytearray(data)
    for pos, val in byte_edits:
        buf[pos % len(buf)] = val
    for pos, val in words:  # size / count / offset fields are 32-bit little-endian: hit them with extremes
        p = (pos % max(1, len(buf) - 4)) & ~3
        buf[p : p + 4] = val.to_bytes(4, "little")
    if cut is not None:
        buf = buf[: cut % (len(buf) + 1)]
    return bytes(buf)


def run_all(path: Path) -> None:
    try:
        with open_apk(path) as apk:
            apk.facts()
            try:
                m = apk.manifest()
                assert m.package
            except InputError as e:
                assert "parser fault" not in e.problem, e.problem
            for _ in apk.iter_dex():
                pass
    except InputError as e:
        assert "parser fault" not in e.problem, e.problem


@FUZZ
@given(
    edits, st.lists(st.tuples(st.integers(min_value=0), chunk_values), max_size=6), st.none() | st.integers(0)
)
def test_mutated_manifest(
    byte_edits: list[tuple[int, int]], words: list[tuple[int, int]], cut: int | None
) -> None:
    src = source_entries()
    manifest = mutate(src["AndroidManifest.xml"], byte_edits, words, cut)
    with tempfile.TemporaryDirectory() as d:
        path = write_apk(
            Path(d) / "m.apk", [("AndroidManifest.xml", manifest), ("resources.arsc", src["resources.arsc"])]
        )
        run_all(path)


@FUZZ
@given(edits, st.lists(st.tuples(st.integers(min_value=0), chunk_values), max_size=6))
def test_mutated_resource_table(byte_edits: list[tuple[int, int]], words: list[tuple[int, int]]) -> None:
    src = source_entries()
    arsc = mutate(src["resources.arsc"], byte_edits, words, None)
    with tempfile.TemporaryDirectory() as d:
        path = write_apk(
            Path(d) / "r.apk", [("AndroidManifest.xml", src["AndroidManifest.xml"]), ("resources.arsc", arsc)]
        )
        with open_apk(path) as apk:
            assert apk.manifest().package == "com.politedroid"  # a damaged table only loses the label


@FUZZ
@given(
    edits,
    st.lists(st.tuples(st.integers(min_value=0), chunk_values), max_size=4),
    st.none() | st.integers(0),
    st.booleans(),
)
def test_mutated_whole_apk(
    byte_edits: list[tuple[int, int]], words: list[tuple[int, int]], cut: int | None, in_directory: bool
) -> None:
    data = shared_path("apks", SOURCE).read_bytes()
    if in_directory:
        # Aim at the central directory and EOCD (the last ~1 KiB), where the ZIP structure lives.
        head, tail = data[:-1024], data[-1024:]
        data = head + mutate(tail, byte_edits, words, None)
        if cut is not None:
            data = data[: len(data) - cut % 1024]
    else:
        data = mutate(data, byte_edits, words, cut)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "w.apk"
        path.write_bytes(data)
        run_all(path)
