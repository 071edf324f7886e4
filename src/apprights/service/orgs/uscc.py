"""统一社会信用代码 (unified social credit code), GB 32100-2015: format and check character.

18 characters from the 31-character set ``0-9 A-H J-N P-R T U W-Y`` (no I, O, S, V, Z):
1 registration authority, 2 entity type, 3–8 administrative division (digits), 9–17 entity identifier,
18 check character. The check character is ``31 - (Σ value(c_i) · w_i mod 31)`` with weights
``w_i = 3^(i-1) mod 31`` for i = 1..17; 31 maps to 0.
"""

from __future__ import annotations

import re

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = tuple(
    pow(3, i, 31) for i in range(17)
)  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
_VALUE = {c: i for i, c in enumerate(CHARSET)}
_FORMAT = re.compile(r"[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}")


def check_character(first17: str) -> str:
    """The check character for the first 17 characters of a code."""
    if len(first17) != 17 or any(c not in _VALUE for c in first17):
        raise ValueError(f"not 17 characters of the GB 32100 set: {first17!r}")
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """None when ``code`` is a well-formed code with a correct check character, else what is wrong."""
    if len(code) != 18:
        return f"统一社会信用代码应为18位 / must be 18 characters, got {len(code)}"
    if not _FORMAT.fullmatch(code):
        return "统一社会信用代码含非法字符 / contains characters outside the GB 32100-2015 set"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误 / wrong check character: expected {expected}, got {code[17]}"
    return None


def is_valid_uscc(code: str) -> bool:
    return uscc_problem(code) is None
