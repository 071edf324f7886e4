"""Hostile input: anything fails only with InputError, never hangs."""

import contextlib
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from apprights.errors import InputError
from apprights.extractors.policy import extract_policy, extract_policy_bytes


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes(data):
    with contextlib.suppress(InputError):
        extract_policy_bytes(data, source="fuzz")


@settings(max_examples=100, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("<>/|#*-：:；。、（）()1一SDK名称公司目的信息权限收集我们不会IMEI\n ")),
        max_size=800,
    )
)
def test_random_structured_text(text):
    try:
        f = extract_policy_bytes(text.encode("utf-8"), source="fuzz")
    except InputError:
        return
    for d in f.declared_pi + f.negated_pi:
        assert 0 <= d.sentence < len(f.sentences)


def test_pathological_inputs_are_fast():
    cases = [
        b"<div>" * 50_000,
        b"<table><tr><td>" * 20_000,
        ("SDK名称：" * 30_000).encode(),
        ("我" * 400_000).encode(),
        ("| a " * 50_000 + "|\n").encode(),
        (("一、" + "x" * 10 + "\n") * 20_000).encode(),
    ]
    for data in cases:
        start = time.perf_counter()
        with contextlib.suppress(InputError):
            extract_policy_bytes(data, source="patho")
        assert time.perf_counter() - start < 5.0


def test_missing_and_directory(tmp_path):
    for p in (tmp_path / "nope.html", tmp_path):
        try:
            extract_policy(p)
        except InputError as exc:
            assert str(p) in str(exc)
        else:  # pragma: no cover
            raise AssertionError("expected InputError")
