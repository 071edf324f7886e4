from __future__ import annotations

from apprights.rules.t3_misuse.rt_pi_plaintext import PiPlaintext
from tests.extractors.trace.support import run_file


def test_triggers_android_id_in_http_query() -> None:
    (f,) = run_file(PiPlaintext, "t3_violate.jsonl")
    assert f.key == "plaintext:stat.example.net"
    ev = f.evidence[0].data
    assert ev["pi_type"] == "android_id" and ev["where"] == "url"
    assert ev["url"] == "http://stat.example.net/c"  # query (with the value) stripped
    assert "9b2f4e6a8c1d3e5f" not in str(f.to_dict())


def test_clean_plain_http_without_pi() -> None:
    assert run_file(PiPlaintext, "t3_clean.jsonl") == []
