from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, SubjectKind
from apprights.rules.base import RuleContext
from apprights.rules.t9_store_disclosure.listing_info_missing import ListingInfoMissing
from apprights.testing.listings import make_listing


def run(facts: AppFacts, knowledge) -> list:  # type: ignore[no-untyped-def]
    return list(ListingInfoMissing().check(facts, RuleContext(knowledge)))


def test_triggers_on_missing_developer_and_permissions(knowledge) -> None:  # type: ignore[no-untyped-def]
    facts = AppFacts(listings=[make_listing(developer=None, permissions=[])])
    found = run(facts, knowledge)
    assert len(found) == 1
    f = found[0]
    assert f.subject.kind == SubjectKind.PLATFORM and f.subject.id == "huawei"
    assert f.subject.name == "华为应用市场"
    assert f.confidence == Confidence.OBSERVED
    assert f.evidence[0].data["missing_fields"] == ["developer", "permissions"]
    assert "开发者信息" in f.detail_zh


def test_clean_complete_listing(knowledge) -> None:  # type: ignore[no-untyped-def]
    assert run(AppFacts(listings=[make_listing()]), knowledge) == []


def test_clean_when_not_listed(knowledge) -> None:  # type: ignore[no-untyped-def]
    assert run(AppFacts(listings=[make_listing(listed=False, developer=None)]), knowledge) == []


def test_fingerprint_stable_across_captures(knowledge) -> None:  # type: ignore[no-untyped-def]
    a = run(
        AppFacts(listings=[make_listing(description=None, captured_at="2026-01-01T00:00:00Z")]), knowledge
    )
    b = run(
        AppFacts(listings=[make_listing(description=None, captured_at="2026-02-01T00:00:00Z")]), knowledge
    )
    assert a[0].fingerprint == b[0].fingerprint
