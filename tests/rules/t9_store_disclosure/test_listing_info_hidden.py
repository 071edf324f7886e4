from apprights.model.facts import AppFacts
from apprights.rules.base import RuleContext
from apprights.rules.t9_store_disclosure.listing_info_hidden import ListingInfoHidden
from apprights.testing.listings import make_listing


def test_triggers_on_developer_behind_link(knowledge) -> None:  # type: ignore[no-untyped-def]
    facts = AppFacts(listings=[make_listing(field_depth={"developer": 2, "version_name": 1})])
    found = list(ListingInfoHidden().check(facts, RuleContext(knowledge)))
    assert len(found) == 1 and found[0].evidence[0].data["field_depth"] == {"developer": 2}


def test_triggers_on_deep_policy_and_option(knowledge) -> None:  # type: ignore[no-untyped-def]
    facts = AppFacts(listings=[make_listing(privacy_policy_depth=3)])
    assert len(list(ListingInfoHidden().check(facts, RuleContext(knowledge)))) == 1
    ctx = RuleContext(knowledge, options={"T9.listing_info_hidden": {"max_policy_depth": 3}})
    assert list(ListingInfoHidden().check(facts, ctx)) == []


def test_clean_first_level(knowledge) -> None:  # type: ignore[no-untyped-def]
    assert list(ListingInfoHidden().check(AppFacts(listings=[make_listing()]), RuleContext(knowledge))) == []
