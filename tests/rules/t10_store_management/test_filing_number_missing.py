from apprights.model.facts import AppFacts
from apprights.rules.base import RuleContext
from apprights.rules.t10_store_management.filing_number_missing import FilingNumberMissing
from apprights.testing.listings import make_listing


def run(facts: AppFacts, knowledge) -> list:  # type: ignore[no-untyped-def]
    return list(FilingNumberMissing().check(facts, RuleContext(knowledge)))


def test_triggers_on_missing_filing(knowledge) -> None:  # type: ignore[no-untyped-def]
    found = run(AppFacts(listings=[make_listing(icp_filing=None)]), knowledge)
    assert len(found) == 1 and found[0].evidence[0].data["problem"] == "missing"


def test_triggers_on_malformed_filing(knowledge) -> None:  # type: ignore[no-untyped-def]
    found = run(AppFacts(listings=[make_listing(icp_filing="ICP 12345")]), knowledge)
    assert len(found) == 1 and found[0].evidence[0].data["problem"] == "malformed"


def test_clean_valid_filing(knowledge) -> None:  # type: ignore[no-untyped-def]
    assert run(AppFacts(listings=[make_listing()]), knowledge) == []
