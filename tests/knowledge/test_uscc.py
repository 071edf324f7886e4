from apprights.knowledge.uscc import check_character, is_valid_uscc, uscc_problem


def test_valid_codes_pass() -> None:
    # 91350100M000100Y43 is the form used in GB 32100-2015 examples; the other is computed here.
    assert is_valid_uscc("91350100M000100Y43")
    assert is_valid_uscc("91110108MA01C8QX3" + check_character("91110108MA01C8QX3"))


def test_wrong_check_character_is_named() -> None:
    problem = uscc_problem("91350100M000100Y44")
    assert problem is not None and "expected '3'" in problem


def test_shape_errors() -> None:
    assert "18 characters" in (uscc_problem("9135") or "")
    assert uscc_problem("91350100M000100YI3") is not None  # I is not in the alphabet
    assert uscc_problem("91ABCDEFM000100Y43") is not None  # division code must be digits
