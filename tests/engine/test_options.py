import pytest

from apprights.engine.options import check_rule_ids, parse_rule_options
from apprights.errors import InputError


def test_options_are_typed_like_the_defaults() -> None:
    opts = parse_rule_options(
        [
            "T2.collect_frequency.period_s=10",
            "T2.collect_frequency.max_reads=5",
            "T9.listing_info_hidden.max_depth=2",
        ]
    )
    assert opts == {
        "T2.collect_frequency": {"period_s": 10.0, "max_reads": 5},
        "T9.listing_info_hidden": {"max_depth": 2},
    }
    assert isinstance(opts["T2.collect_frequency"]["period_s"], float)


@pytest.mark.parametrize(
    ("item", "needle"),
    [
        ("T2.collect_frequency.period_s=abc", "expects a number"),
        ("T2.collect_frequency.max_reads=1.5", "whole number"),
        ("T2.collect_frequency.nope=1", "has no option 'nope'"),
        ("T99.none.x=1", "unknown rule id 'T99.none'"),
        ("period_s", "expected RULE_ID.option=value"),
        ("T10.removed_app_still_listed.removal_orders=[1]", "JSON object"),
    ],
)
def test_bad_options_are_input_errors(item: str, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        parse_rule_options([item])


def test_rule_ids_are_checked() -> None:
    assert check_rule_ids(["T9.listing_info_missing"], "--rule") == {"T9.listing_info_missing"}
    with pytest.raises(InputError, match=r"unknown rule id 'T0\.x'"):
        check_rule_ids(["T0.x"], "--rule")
