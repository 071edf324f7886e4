"""GB 32100-2015 check character."""

from __future__ import annotations

import pytest

from apprights.service.orgs.uscc import CHARSET, WEIGHTS, check_character, is_valid_uscc, uscc_problem

# Codes printed on public business licences (well-known companies), and one built here.
REAL = ["91440300708461136T", "914403001922038216", "91110000802100433B", "91350100M000100Y43"]


@pytest.mark.parametrize("code", REAL)
def test_real_codes_validate(code: str) -> None:
    assert is_valid_uscc(code), uscc_problem(code)


def test_weights_are_powers_of_three_mod_31() -> None:
    assert WEIGHTS[:6] == (1, 3, 9, 27, 19, 26)
    assert len(CHARSET) == 31 and not set("IOSVZ") & set(CHARSET)


@pytest.mark.parametrize("code", REAL)
def test_every_single_character_change_is_caught(code: str) -> None:
    for i in range(17):
        for c in CHARSET:
            if c == code[i] or (2 <= i < 8 and not c.isdigit()):
                continue
            changed = code[:i] + c + code[i + 1 :]
            assert not is_valid_uscc(changed), changed


def test_check_character_computed() -> None:
    body = "91350100M000100Y4"
    code = body + check_character(body)
    assert code == "91350100M000100Y43"


@pytest.mark.parametrize(
    "bad",
    ["", "9135010", "91350100M000100Y4I", "91350100M000100Y44", "9135A100M000100Y43", "91350100m000100y43x"],
)
def test_bad_codes_explain(bad: str) -> None:
    problem = uscc_problem(bad)
    assert problem and "/" in problem  # Chinese / English
