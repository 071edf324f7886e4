"""Hostile input: anything fails only with InputError, never hangs."""

import contextlib
import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apprights.errors import InputError
from apprights.extractors.policy import extract_policy, extract_policy_bytes
from apprights.extractors.policy.text import MAX_BYTES, MAX_SENTENCES, MAX_TEXT_CHARS
from apprights.model.policy import PolicyFacts


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


# ------------------------------------------------------------------------ adversarial shapes near the 5 MB cap
_ZH_WORDS = "我们 收集 您的 个人信息 手机号 位置 IMEI 用于 为了 删除 注销 账号 SDK 第三方 权限 可以 联系"


def _word_mix() -> bytes:
    rnd = random.Random(7)
    words = _ZH_WORDS.split(" ")
    words += [*"。，；：（）、|<>\n ", "1.", "一、", "we", "collect", "your", "Firebase", "Google", "Inc."]
    parts: list[str] = []
    n = 0
    while n < 4_000_000:
        w = rnd.choice(words)
        parts.append(w)
        n += len(w.encode())
    return "".join(parts).encode()


_ADVERSARIAL = {
    "charrefs": lambda: b"&#x4e00;" * 600_000,
    "html-charrefs": lambda: b"<!doctype html><p>" + b"&#x4e00;" * 600_000,
    "word-mix": _word_mix,
    "lt": lambda: b"<" * 4_000_000,
    "html-lt": lambda: b"<!doctype html><p>" + b"<" * 4_000_000,
    "script-then-text": lambda: b"<script>" + b"a" * 4_000_000,
    "nested-divs": lambda: b"<div>" * 200_000 + b"x" + b"</div>" * 200_000,
    "empty-paragraphs": lambda: b"<!doctype html>" + b"<p>" * 1_700_000,
    "nested-tables": lambda: b"<!doctype html>" + b"<table><tr><td>" * 300_000,
    "sdk-table-rows": lambda: ("| SDK名称 | 公司 | 目的 |\n|---|---|---|\n" + "| 友盟SDK | 友盟同欣（北京）科技有限公司 | 统计 |\n" * 60_000).encode(),
    "short-lines": lambda: b"ab\n" * 1_700_000,
    "one-long-sentence": lambda: ("我们收集您的手机号用于注册" * 130_000).encode(),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(_ADVERSARIAL))
def test_adversarial_input_is_bounded(name):
    data = _ADVERSARIAL[name]()
    assert len(data) <= MAX_BYTES
    start = time.process_time()
    try:
        facts = extract_policy_bytes(data, source=name)
    except InputError as exc:
        assert name in str(exc)
    else:
        assert isinstance(facts, PolicyFacts)
        assert len(facts.sentences) <= MAX_SENTENCES
        assert facts.char_count <= MAX_TEXT_CHARS
    # about 1 s on an idle core; generous for a loaded 2-core machine
    assert time.process_time() - start < 5.0


def test_text_beyond_the_cap_is_cut_with_a_warning_and_the_start_still_analysed():
    head = "我们会收集您的手机号码，用于注册账号。我们会收集您的位置信息，用于推荐附近的服务。\n"
    data = (head + ("这是一段没有意义的填充文字" * 10 + "\n") * 6_000).encode()
    facts = extract_policy_bytes(data, source="long.txt")
    assert any("not analysed" in w for w in facts.warnings)
    assert facts.char_count <= MAX_TEXT_CHARS
    assert {"phone_number", "location"} <= facts.declared_types()


def test_sentence_bound_warns():
    data = ("我们收集您的手机号。" * (MAX_SENTENCES + 50)).encode()
    facts = extract_policy_bytes(data, source="many.txt")
    assert len(facts.sentences) == MAX_SENTENCES
    assert any(str(MAX_SENTENCES) in w for w in facts.warnings)


def test_stray_less_than_signs_in_html_are_kept_as_text():
    page = "<!doctype html><html><body><p>a < b <= c <<d> e</p><p>x &lt; y</p></body></html>"
    facts = extract_policy_bytes(page.encode(), source="lt.html")
    texts = [s.text for s in facts.sentences]
    assert any("a < b <= c" in t for t in texts)
    assert any("x < y" in t for t in texts)
