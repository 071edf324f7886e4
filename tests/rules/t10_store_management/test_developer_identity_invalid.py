from apprights.model.facts import AppFacts
from apprights.model.policy import PolicyFacts
from apprights.rules.base import RuleContext
from apprights.rules.t10_store_management.developer_identity_invalid import DeveloperIdentityInvalid
from apprights.testing.listings import make_listing


def run(facts: AppFacts, knowledge) -> list:  # type: ignore[no-untyped-def]
    return list(DeveloperIdentityInvalid().check(facts, RuleContext(knowledge)))


def test_triggers_on_bad_check_character(knowledge) -> None:  # type: ignore[no-untyped-def]
    facts = AppFacts(
        listings=[make_listing(developer={"name": "示例科技有限公司", "uscc": "91350100M000100Y44"})]
    )
    found = run(facts, knowledge)
    assert len(found) == 1
    assert "check character" in found[0].evidence[0].data["problems"]["developer.uscc"]


def test_triggers_on_name_differing_from_policy_operator(knowledge) -> None:  # type: ignore[no-untyped-def]
    policy = PolicyFacts(path="p.html", sha256="0", operator="另一家网络技术有限公司")
    found = run(AppFacts(policy=policy, listings=[make_listing()]), knowledge)
    assert len(found) == 1 and any(e.source == "policy" for e in found[0].evidence)


def test_triggers_on_no_contact(knowledge) -> None:  # type: ignore[no-untyped-def]
    found = run(AppFacts(listings=[make_listing(contact={})]), knowledge)
    assert found and found[0].evidence[0].data["problems"] == {"contact": "no phone or e-mail"}


def test_clean_valid_identity(knowledge) -> None:  # type: ignore[no-untyped-def]
    policy = PolicyFacts(path="p.html", sha256="0", operator="示例科技有限公司")
    assert run(AppFacts(policy=policy, listings=[make_listing()]), knowledge) == []


def test_clean_foreign_developer_without_uscc(knowledge) -> None:  # type: ignore[no-untyped-def]
    listing = make_listing(developer={"name": "Example Inc.", "country": "US"})
    assert run(AppFacts(listings=[listing]), knowledge) == []
