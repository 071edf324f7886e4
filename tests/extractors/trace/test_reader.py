"""Malformed traces fail with InputError naming the line and the field; odd but valid input is tolerated."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from apprights.errors import InputError
from apprights.extractors.trace import ReadLimits, extract_traces
from tests.extractors.trace.support import small_knowledge

HEADER = {"type": "session", "t": 0, "format": "apprights-trace/1", "package": "com.example.app"}


def write(tmp: Path, lines: list[str | dict[str, object]], name: str = "t.jsonl") -> Path:
    p = tmp / name
    text = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n"
    p.write_text(text, encoding="utf-8")
    return p


def problem(path: Path, limits: ReadLimits | None = None) -> str:
    with pytest.raises(InputError) as ei:
        extract_traces([path], small_knowledge(), limits=limits)
    assert ei.value.path == str(path)
    return ei.value.problem


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([HEADER, "{not json"], "line 2: invalid JSON"),
        ([HEADER, {"t": 1}], "line 2: field 'type' is missing"),
        ([HEADER, {"type": 5, "t": 1}], "line 2: field 'type' must be a string"),
        ([HEADER, {"type": "note", "text": "x"}], "line 2: field 't' is missing"),
        ([HEADER, {"type": "note", "t": "1", "text": "x"}], "line 2: field 't' must be a number"),
        ([HEADER, {"type": "note", "t": True, "text": "x"}], "line 2: field 't' must be a number"),
        ([HEADER, {"type": "note", "t": -1, "text": "x"}], "line 2: field 't' must not be negative"),
        ([HEADER, '{"type":"note","t":1e400,"text":"x"}'], "line 2: invalid JSON"),
        (
            [HEADER, {"type": "note", "t": 5, "text": "a"}, {"type": "note", "t": 4, "text": "b"}],
            "line 3: field 't'",
        ),
        ([{**HEADER, "format": "apprights-trace/2"}], "line 1: field 'format' must be 'apprights-trace/1'"),
        ([{**HEADER, "package": ""}], "line 1: field 'package' must not be empty"),
        ([{"type": "note", "t": 0, "text": "x"}], "line 1: field 'type': the first event must be 'session'"),
        ([HEADER, HEADER], "line 2: field 'type': a second 'session' event"),
        ([HEADER, "[1, 2]"], "line 2: an event must be a JSON object"),
        ([HEADER, {"type": "api_call", "t": 1}], "line 2: field 'api' is missing"),
        (
            [HEADER, {"type": "api_call", "t": 1, "api": "x", "stack": "a.b.c"}],
            "line 2: field 'stack' must be a list",
        ),
        (
            [HEADER, {"type": "api_call", "t": 1, "api": "x", "ret_sha256": "abc"}],
            "line 2: field 'ret_sha256'",
        ),
        (
            [HEADER, {"type": "app_state", "t": 1, "state": "sleeping"}],
            "line 2: field 'state' must be one of",
        ),
        (
            [HEADER, {"type": "permission_request", "t": 1, "permissions": []}],
            "field 'permissions' must not be empty",
        ),
        ([HEADER, {"type": "permission_request", "t": 1, "permissions": [1]}], "field 'permissions' item 0"),
        ([HEADER, {"type": "network", "t": 1, "host": "a.com"}], "line 2: field 'method' is missing"),
        ([HEADER, {"type": "network", "t": 1, "host": "a", "method": "GET", "tls": "yes"}], "field 'tls'"),
        (
            [HEADER, {"type": "ui", "t": 1, "screen": "s", "checkboxes": [{"checked": "true"}]}],
            "item 0 field 'checked'",
        ),
        (
            [HEADER, {"type": "proc_start", "t": 1, "package": "p", "process": "p"}],
            "field 'hosting_type' is missing",
        ),
        (
            [HEADER, {"type": "note", "t": 1, "text": "x", "pid": "12"}],
            "line 2: field 'pid' must be an integer",
        ),
        ([HEADER, {"type": "consent", "t": 1, "action": None}], "line 2: field 'action' is missing"),
    ],
)
def test_malformed_lines(tmp_path: Path, lines: list[str | dict[str, object]], expected: str) -> None:
    assert expected in problem(write(tmp_path, lines))


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "e.jsonl"
    p.write_bytes(b"")
    assert "empty trace" in problem(p)


def test_missing_file(tmp_path: Path) -> None:
    assert "cannot open" in problem(tmp_path / "nope.jsonl")


def test_invalid_utf8(tmp_path: Path) -> None:
    p = tmp_path / "u.jsonl"
    p.write_bytes(json.dumps(HEADER).encode() + b'\n{"type":"note","t":1,"text":"\xff\xfe"}\n')
    assert problem(p).startswith("line 2:")


def test_huge_line(tmp_path: Path) -> None:
    p = write(tmp_path, [HEADER, {"type": "note", "t": 1, "text": "x" * 5000}])
    assert "line 2: longer than 1000 bytes" in problem(p, ReadLimits(max_line_bytes=1000))


def test_gzip_garbage(tmp_path: Path) -> None:
    p = tmp_path / "g.jsonl.gz"
    p.write_bytes(b"\x1f\x8b\x08\x00" + b"garbage" * 50)
    assert "corrupt gzip" in problem(p)


def test_gz_name_without_gzip_data(tmp_path: Path) -> None:
    p = tmp_path / "g.jsonl.gz"
    p.write_text(json.dumps(HEADER) + "\n", encoding="utf-8")
    assert "not gzip data" in problem(p)


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress((json.dumps(HEADER) + "\n" + '{"type":"note","t":1,"text":"x"}\n' * 200).encode())
    p = tmp_path / "t.jsonl.gz"
    p.write_bytes(data[: len(data) // 2])
    assert "corrupt gzip" in problem(p)


def test_gzip_bomb_total_cap(tmp_path: Path) -> None:
    body = json.dumps(HEADER).encode() + b"\n" + b" " * (3 * 1024 * 1024) + b"\n"
    p = tmp_path / "bomb.jsonl.gz"
    p.write_bytes(gzip.compress(body))
    limits = ReadLimits(max_decompressed_bytes=1024 * 1024, max_line_bytes=8 * 1024 * 1024)
    assert "decompressed size exceeds" in problem(p, limits)


def test_gzip_bomb_ratio_cap(tmp_path: Path) -> None:
    body = json.dumps(HEADER).encode() + b"\n" + b"\n" * (8 * 1024 * 1024)
    p = tmp_path / "bomb.jsonl.gz"
    p.write_bytes(gzip.compress(body, 9))
    limits = ReadLimits(gzip_ratio_floor=1024 * 1024, max_gzip_ratio=100)
    assert "gzip bomb" in problem(p, limits)


def test_valid_gzip_trace(tmp_path: Path) -> None:
    p = tmp_path / "ok.jsonl.gz"
    p.write_bytes(gzip.compress((json.dumps(HEADER) + '\n{"type":"note","t":1,"text":"x"}\n').encode()))
    facts = extract_traces([p], small_knowledge())
    assert facts.package == "com.example.app" and facts.sessions[0].event_count == 2


def test_tolerates_unknown_fields_types_and_blank_lines(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        [
            {**HEADER, "vendor_extra": {"x": 1}},
            "",
            {"type": "thermal", "t": 1, "celsius": 40},
            {"type": "thermal", "t": 2},
            {"type": "note", "t": 2, "text": "x", "extra": [1, 2]},
            {"type": "consent", "t": 3, "action": "agreed", "document": None},
        ],
    )
    s = extract_traces([p], small_knowledge()).sessions[0]
    assert s.unknown_types == {"thermal": 2}
    assert s.event_count == 5
    assert s.consents[0].index == 4  # event indexes skip blank lines


def test_traces_of_different_apps_rejected(tmp_path: Path) -> None:
    a = write(tmp_path, [HEADER], "a.jsonl")
    b = write(tmp_path, [{**HEADER, "package": "com.other"}], "b.jsonl")
    with pytest.raises(InputError) as ei:
        extract_traces([a, b], small_knowledge())
    assert ei.value.path == str(b) and "field 'package'" in ei.value.problem


def test_no_paths() -> None:
    with pytest.raises(InputError):
        extract_traces([], small_knowledge())


def test_nan_is_not_json(tmp_path: Path) -> None:
    assert problem(write(tmp_path, [HEADER, '{"type":"note","t":NaN,"text":"x"}'])).startswith(
        "line 2: invalid JSON"
    )


def test_utf8_bom_and_crlf_tolerated(tmp_path: Path) -> None:
    p = tmp_path / "bom.jsonl"
    p.write_bytes(
        b"\xef\xbb\xbf" + json.dumps(HEADER).encode() + b'\r\n{"type":"note","t":1,"text":"x"}\r\n\r\n'
    )
    s = extract_traces([p], small_knowledge()).sessions[0]
    assert s.event_count == 2


def test_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    p = write(tmp_path, [HEADER, "", "", {"type": "note", "t": 1}])
    assert problem(p).startswith("line 4: field 'text' is missing")


def test_newline_free_huge_file_stops_at_the_cap(tmp_path: Path) -> None:
    p = tmp_path / "one.jsonl"
    p.write_bytes(json.dumps(HEADER).encode() + b"\n" + b"x" * (3 * 1024 * 1024))
    assert "line 2: longer than 1048576 bytes" in problem(p, ReadLimits(max_line_bytes=1024 * 1024))


def test_fifo_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    assert "not a regular file (a FIFO)" in problem(fifo)


def test_directory_refused(tmp_path: Path) -> None:
    d = tmp_path / "dir.jsonl"
    d.mkdir()
    assert "not a regular file" in problem(d) or "cannot open" in problem(d)


def test_multi_member_gzip_with_zero_padding(tmp_path: Path) -> None:
    p = tmp_path / "mm.jsonl.gz"
    members = [gzip.compress((json.dumps(HEADER) + "\n").encode())]
    members += [gzip.compress(f'{{"type":"note","t":{i},"text":"x"}}\n'.encode()) for i in range(1, 4)]
    p.write_bytes(b"".join(members) + b"\x00" * 64)
    assert extract_traces([p], small_knowledge()).sessions[0].event_count == 4


def test_trailing_garbage_after_gzip_member(tmp_path: Path) -> None:
    p = tmp_path / "tg.jsonl.gz"
    p.write_bytes(gzip.compress((json.dumps(HEADER) + "\n").encode()) + b"not gzip at all")
    assert "corrupt gzip" in problem(p)


def test_gzip_line_split_across_members_and_blocks(tmp_path: Path) -> None:
    line = (
        json.dumps(HEADER)
        + "\n"
        + "".join(f'{{"type":"note","t":{i},"text":"{"y" * 300}"}}\n' for i in range(1, 40000))
    )
    raw = line.encode()
    p = tmp_path / "split.jsonl.gz"
    p.write_bytes(gzip.compress(raw[:5001]) + gzip.compress(raw[5001:]))
    assert extract_traces([p], small_knowledge()).sessions[0].event_count == 40000


def test_event_cap(tmp_path: Path) -> None:
    p = write(tmp_path, [HEADER, *({"type": "note", "t": i, "text": "x"} for i in range(1, 10))])
    assert problem(p, ReadLimits(max_events=5)) == "line 6: more than 5 events"
    assert (
        extract_traces([p], small_knowledge(), limits=ReadLimits(max_events=10)).sessions[0].event_count == 10
    )


def test_default_ratio_cap_stops_a_repetitive_gzip_quickly(tmp_path: Path) -> None:
    """The tiny-event gzip bomb of BUGS-hostile.md #1, scaled down: ~170:1, refused after the 16 MiB floor."""
    line = b'{"type":"app_state","t":1,"state":"foreground"}\n'
    member = gzip.compress(line * (1024 * 1024 // len(line)), 1)
    p = tmp_path / "bomb.jsonl.gz"
    p.write_bytes(gzip.compress(json.dumps(HEADER).encode() + b"\n") + member * 40)
    assert "gzip bomb" in problem(p)


def test_read_events_yields_indexes_and_events(tmp_path: Path) -> None:
    from apprights.extractors.trace.reader import read_events

    p = write(tmp_path, [HEADER, "", {"type": "note", "t": 1, "text": "a"}, {"type": "thermal", "t": 2}])
    got = [(i, ev["type"]) for i, ev in read_events(p)]
    assert got == [(0, "session"), (1, "note"), (2, "thermal")]
