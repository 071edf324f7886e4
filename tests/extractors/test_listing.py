import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apprights.errors import InputError
from apprights.extractors.listing import extract_listings
from apprights.testing.listings import GOOD_USCC, listing_dict


def write(tmp_path: Path, text: str, name: str = "l.json") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_single_object_array_and_jsonl(tmp_path: Path) -> None:
    one = listing_dict()
    assert (
        extract_listings(write(tmp_path, json.dumps(one, ensure_ascii=False)))[0].developer_uscc == GOOD_USCC
    )
    arr = [listing_dict(store="xiaomi"), listing_dict(store="oppo")]
    got = extract_listings(write(tmp_path, json.dumps(arr)))
    assert [g.store for g in got] == ["xiaomi", "oppo"] and [g.index for g in got] == [0, 1]
    lines = "\n".join(json.dumps(listing_dict(store=s)) for s in ("vivo", "360")) + "\n"
    assert [g.store for g in extract_listings(write(tmp_path, lines))] == ["vivo", "360"]


def test_permissions_as_strings_and_objects(tmp_path: Path) -> None:
    d = listing_dict(permissions=["CAMERA", {"name": "读取通讯录", "purpose": "找好友"}])
    got = extract_listings(write(tmp_path, json.dumps(d, ensure_ascii=False)))[0]
    assert got.permissions is not None
    assert [(p.name, p.purpose) for p in got.permissions] == [("CAMERA", ""), ("读取通讯录", "找好友")]


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "no listing"),
        ("{", "invalid JSON"),
        ('{"format": "apprights-listing/1"}', "missing required field 'store'"),
        (json.dumps(listing_dict(format="other/1")), "expected 'apprights-listing/1'"),
        (json.dumps(listing_dict(listed="yes")), "field 'listed' has the wrong type"),
        (json.dumps(listing_dict(permissions="CAMERA")), "'permissions' must be a list"),
        (json.dumps(listing_dict(field_depth={"developer": "2"})), "field_depth.developer"),
        (json.dumps([1, 2]), "item 0: a listing must be a JSON object"),
        (json.dumps(listing_dict()) + "\n{bad\n", "line 2: invalid JSON"),
        ("[" * 100000 + "]" * 100000, "nested too deeply"),
    ],
)
def test_bad_input_names_file_and_problem(tmp_path: Path, text: str, needle: str) -> None:
    p = write(tmp_path, text)
    with pytest.raises(InputError) as exc:
        extract_listings(p)
    assert str(p) in str(exc.value) and needle in str(exc.value)


def test_not_utf8(tmp_path: Path) -> None:
    p = tmp_path / "l.json"
    p.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match="not UTF-8"):
        extract_listings(p)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
        max_leaves=20,
    )
)
def test_fuzz_only_input_error(tmp_path_factory: pytest.TempPathFactory, doc: object) -> None:
    p = tmp_path_factory.mktemp("fz") / "l.json"
    base = listing_dict()
    if isinstance(doc, dict):
        base.update(doc)
        doc = base
    p.write_text(json.dumps(doc), encoding="utf-8")
    with contextlib.suppress(InputError):
        extract_listings(p)
