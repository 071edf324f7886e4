from apprights.model.facts import AppFacts
from apprights.rules.base import RuleContext
from apprights.rules.t10_store_management.removed_app_still_listed import RemovedAppStillListed
from apprights.testing.listings import make_listing

RULE = "T10.removed_app_still_listed"


def test_triggers_when_listed_two_days_after_order(knowledge) -> None:  # type: ignore[no-untyped-def]
    ctx = RuleContext(knowledge, options={RULE: {"removal_orders": {"huawei": "2026-11-18T10:00:00+08:00"}}})
    found = list(RemovedAppStillListed().check(AppFacts(listings=[make_listing()]), ctx))
    assert len(found) == 1 and found[0].evidence[0].data["hours_after_order"] == 48.0


def test_clean_within_grace_or_removed(knowledge) -> None:  # type: ignore[no-untyped-def]
    ctx = RuleContext(knowledge, options={RULE: {"removal_orders": {"huawei": "2026-11-20T00:00:00+08:00"}}})
    assert list(RemovedAppStillListed().check(AppFacts(listings=[make_listing()]), ctx)) == []
    ctx2 = RuleContext(knowledge, options={RULE: {"removal_orders": {"huawei": "2026-11-01T00:00:00+08:00"}}})
    assert list(RemovedAppStillListed().check(AppFacts(listings=[make_listing(listed=False)]), ctx2)) == []


def test_clean_without_orders(knowledge) -> None:  # type: ignore[no-untyped-def]
    assert (
        list(RemovedAppStillListed().check(AppFacts(listings=[make_listing()]), RuleContext(knowledge))) == []
    )
