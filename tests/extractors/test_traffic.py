"""PI in traffic: every encoding the brief lists is found; nothing is found where it is not."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import zlib
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apprights.extractors.traffic import PiMatcher, encodings, masked_variants, request_text, value_parts
from apprights.model.runtime import Actor

READER = Actor("sdk", "umeng-analytics", "友盟统计", "com.umeng.X.y")
IMEI = "861234567890123"
MAC = "AC:DE:48:00:11:22"


def b64(data: bytes | str) -> str:
    return base64.b64encode(data.encode() if isinstance(data, str) else data).decode()


def matcher(pi: str = "device_id", value: Any = IMEI, sha: str | None = None) -> PiMatcher:
    m = PiMatcher("com.example.app")
    m.add_read(pi, value, sha, 7, 1.25, READER)
    return m


def net(**kw: Any) -> dict[str, Any]:
    return {"type": "network", "t": 2, "host": "h.example.org", "method": "POST", **kw}


@pytest.mark.parametrize(
    ("event", "encoding", "where"),
    [
        (net(url=f"https://h/x?imei={IMEI}"), "raw", "url"),
        (net(request_headers={"X-Id": IMEI}), "raw", "header:X-Id"),
        (net(request_body_b64=b64(json.dumps({"d": {"imei": IMEI}}))), "raw", "body"),
        (net(request_body_b64=b64("a=1&id=" + quote(b64(IMEI), safe=""))), "base64", "body"),
        (
            net(url="https://h/x?d=" + base64.urlsafe_b64encode(IMEI.encode()).decode().rstrip("=")),
            "base64",
            "url",
        ),
        (net(request_body_b64=b64(IMEI.encode().hex().upper())), "hex", "body"),
        (net(request_body_b64=b64(hashlib.md5(IMEI.encode()).hexdigest().upper())), "md5", "body"),
        (net(request_body_b64=b64(hashlib.sha1(IMEI.encode()).hexdigest())), "sha1", "body"),
        (net(request_body_b64=b64(hashlib.sha256(IMEI.encode()).hexdigest())), "sha256", "body"),
        (net(request_body_b64=b64(gzip.compress(json.dumps({"imei": IMEI}).encode()))), "raw", "body"),
        (
            net(
                request_headers={"Content-Encoding": "deflate"},
                request_body_b64=b64(zlib.compress(IMEI.encode())),
            ),
            "raw",
            "body",
        ),
        (net(request_body_b64=b64(zlib.compress(("x" * 10 + IMEI).encode())[2:-4])), "raw", "body"),
        (net(request_body_b64=b64(b64(json.dumps({"imei": IMEI})))), "raw", "body"),
    ],
)
def test_finds_imei_in_every_encoding(event: dict[str, Any], encoding: str, where: str) -> None:
    (hit,) = matcher().scan(event)
    assert hit.value.pi_type == "device_id" and hit.value.read_index == 7 and hit.value.read_t == 1.25
    assert hit.value.reader is READER
    assert hit.value.value_sha256 == hashlib.sha256(IMEI.encode()).hexdigest()
    assert hit.encoding == encoding
    assert hit.where == where


@pytest.mark.parametrize(
    "text",
    [
        "ACDE48001122",
        "acde48001122",
        "ac-de-48-00-11-22",
        hashlib.md5(b"acde48001122").hexdigest(),
        MAC.lower(),
    ],
)
def test_finds_mac_variants(text: str) -> None:
    (hit,) = matcher("mac", MAC).scan(net(request_body_b64=b64(f'{{"m":"{text}"}}')))
    assert hit.value.pi_type == "mac"


def test_no_hit_for_other_values_and_empty_requests() -> None:
    m = matcher()
    assert m.scan(net(url="https://h/x?imei=861234567890124")) == []
    assert m.scan(net()) == []
    assert m.scan(net(request_body_b64="!!!not base64!!!")) == []
    assert PiMatcher("p").scan(net(url=f"https://h/?{IMEI}")) == []  # nothing read yet


def test_location_needs_both_coordinates() -> None:
    m = matcher("location", {"lat": 39.904211, "lng": 116.407395})
    assert m.scan(net(url="https://h/?lat=39.9042")) == []
    (hit,) = m.scan(net(url="https://h/?lat=39.90421&lng=116.4073"))
    assert hit.value.pi_type == "location" and hit.value.parts == 2


def test_installed_packages_need_three_names() -> None:
    apps = [
        "com.example.app",
        "com.tencent.mm",
        "com.eg.android.AlipayGphone",
        "com.ss.android.ugc.aweme",
        "com.jd",
    ]
    m = matcher("installed_apps", apps)
    assert m.scan(net(request_body_b64=b64("com.tencent.mm,com.ss.android.ugc.aweme"))) == []
    (hit,) = m.scan(
        net(request_body_b64=b64("com.tencent.mm,com.ss.android.ugc.aweme,com.eg.android.alipaygphone"))
    )
    assert hit.value.pi_type == "installed_apps"
    assert (
        value_parts("installed_apps", apps, "com.example.app")[0] == "com.tencent.mm"
    )  # own package excluded


def test_masked_value_matched_by_hashing_tokens() -> None:
    sha = hashlib.sha256(IMEI.encode()).hexdigest()
    m = matcher("device_id", None, sha)
    (hit,) = m.scan(net(request_body_b64=b64(json.dumps({"imei": IMEI}))))
    assert hit.encoding == "sha256-of-token" and hit.value.value_sha256 == sha
    (hit,) = m.scan(net(url=f"https://h/?h={sha.upper()}"))
    assert hit.encoding == "sha256"


def test_masked_mac_matched_without_separators() -> None:
    m = matcher("mac", None, hashlib.sha256(MAC.encode()).hexdigest())
    (hit,) = m.scan(net(request_headers={"X-M": "ACDE48001122"}))
    assert hit.value.pi_type == "mac"


def test_trivial_and_placeholder_values_ignored() -> None:
    for v in ("", "unknown", "02:00:00:00:00:00", "0000000000", "12345"):
        assert value_parts("mac", v, "p") == []
    m = PiMatcher("p")
    assert m.add_read("mac", "02:00:00:00:00:00", None, 1, 1.0, READER) is not None
    assert m.values == []


def test_decompression_is_capped() -> None:
    bomb = gzip.compress(b"0" * (20 * 1024 * 1024))
    rt = request_text(net(request_body_b64=b64(bomb)), max_body_bytes=1024 * 1024)
    assert max(len(t) for _, t in rt.parts) <= 1024 * 1024


def test_encodings_are_lowercase_and_distinct() -> None:
    enc = encodings(IMEI)
    assert enc["raw"] == IMEI and all(v == v.lower() for v in enc.values())
    assert len(set(enc.values())) == len(enc)


def test_same_value_read_twice_keeps_first_read() -> None:
    m = matcher()
    m.add_read("device_id", IMEI, None, 99, 50.0, READER)
    assert len(m.values) == 1 and m.values[0].read_index == 7


@pytest.mark.timeout(20)
def test_pathological_bodies_stay_linear() -> None:
    m = matcher()
    body = "A" * 20 + " " * 300_000 + "!"
    assert m.scan(net(request_body_b64=b64(body))) == []
    assert m.scan(net(url="https://h/?" + "%" * 100_000)) == []
    assert value_parts("location", {"lat": 10**400, "lng": "x"}, "p") == []


@settings(max_examples=200, deadline=None)
@given(
    url=st.text(max_size=80),
    body=st.one_of(st.binary(max_size=200).map(lambda b: base64.b64encode(b).decode()), st.text(max_size=80)),
    header=st.text(max_size=40),
)
def test_fuzz_scan_never_raises(url: str, body: str, header: str) -> None:
    m = matcher()
    m.add_read("mac", None, hashlib.sha256(MAC.encode()).hexdigest(), 1, 0.0, READER)
    hits = m.scan(
        net(url=url, request_body_b64=body, request_headers={"X": header, "Content-Encoding": "deflate"})
    )
    assert all(h.value.pi_type in ("device_id", "mac") for h in hits)


def test_nested_unhashable_returns_are_fine() -> None:
    m = PiMatcher("p")
    assert m.add_read("installed_apps", [["a"], {"b": 1}], None, 1, 0.0, READER) is None
    assert m.add_read("location", {"lat": [1], "lng": {"x": 2}}, None, 2, 0.0, READER) is None
    assert m.add_read("installed_apps", [["a"], {"b": 1}], None, 3, 0.0, READER) is None


def test_finder_backends_agree_including_non_ascii_text() -> None:
    """Aho-Corasick (when installed) and the trie regular expression report the same leftmost-longest matches,
    with string (not byte) offsets."""
    import re

    from apprights.extractors.traffic import _finder, _trie_pattern

    words = ["864512030098765", "8645120300", "ac:de:48:00:11:22", "acde48001122", "zzzzzz"]
    text = "é中文864512030098765\x00imei=8645120300x ac:de:48:00:11:22 acde48001122zzzzzzz"
    rx = re.compile(_trie_pattern(words))
    expected = [(m.group(0), m.start(), m.end()) for m in rx.finditer(text)]
    got = list(_finder(words)(text))
    assert got == expected
    assert all(text[a:b] == w for w, a, b in got)


def test_header_cache_gives_the_same_text() -> None:
    from apprights.extractors.traffic import request_text

    cache: dict[Any, Any] = {}
    events = [
        {"host": "h", "method": "GET", "request_headers": {"X-Id": "864512030098765", "A": "b%20c"}},
        {"host": "h", "method": "GET", "request_headers": {"X-Id": "864512030098765", "A": "b%20c"}},
        {"host": "h", "method": "GET", "request_headers": {"N": 1}},
        {"host": "h", "method": "GET", "request_headers": {"N": 1.0}},
        {"host": "h", "method": "GET", "request_headers": {"L": ["x", "y"]}},
    ]
    for ev in events:
        assert request_text(ev, header_cache=cache).parts == request_text(ev).parts
    assert len(cache) == 1


@pytest.mark.parametrize(
    "encoded",
    [
        hashlib.md5(IMEI.encode()).hexdigest(),
        b64(IMEI),
        IMEI.encode().hex(),
        hashlib.sha1(IMEI.encode()).hexdigest().upper(),
    ],
)
def test_masked_value_keeps_encoded_matches_through_variant_hashes(encoded: str) -> None:
    sha = hashlib.sha256(IMEI.encode()).hexdigest()
    plain = matcher("device_id", None, sha)
    assert plain.scan(net(request_body_b64=b64(json.dumps({"d": encoded})))) == []  # what --mask lost
    m = PiMatcher("com.example.app")
    m.add_read("device_id", None, sha, 7, 1.25, READER, masked_variants(IMEI))
    (hit,) = m.scan(net(request_body_b64=b64(json.dumps({"d": encoded}))))
    assert hit.value.value_sha256 == sha and hit.encoding == "sha256-of-token"


def test_seeded_identifier_gives_way_to_the_apps_own_read() -> None:
    device = Actor("app", "com.example.app", "app")
    m = PiMatcher("com.example.app")
    m.add_seed("device_id", IMEI, None, (), 1, device)
    (hit,) = m.scan(net(request_body_b64=b64(IMEI)))
    assert hit.value.read_index == 1 and hit.value.seeded  # found although no read was hooked
    m.add_read("device_id", IMEI, None, 9, 3.5, READER)
    (hit,) = m.scan(net(request_body_b64=b64(IMEI)))
    assert (hit.value.read_index, hit.value.read_t, hit.value.reader) == (9, 3.5, READER)
    assert not hit.value.seeded
