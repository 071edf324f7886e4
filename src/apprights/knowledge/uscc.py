"""统一社会信用代码 (unified social credit code) validation per GB 32100-2015.

18 characters: registration authority (1), entity type (1), administrative division (6 digits), organisation
code (9), check character (1). The check character is computed with weights 3^i mod 31 over the first 17.
"""

from __future__ import annotations

import re

# GB 32100-2015 code alphabet: digits and upper-case letters without I, O, Z, S, V.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def check_character(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_problem(code: str) -> str | None:
    """None when valid; otherwise what is wrong (English)."""
    if len(code) != 18:
        return f"must be 18 characters, has {len(code)}"
    if not _SHAPE.match(code):
        return "contains characters outside the GB 32100-2015 alphabet or a non-numeric division code"
    expected = check_character(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]!r}, expected {expected!r}"
    return None


def is_valid_uscc(code: str) -> bool:
    return uscc_problem(code) is None
