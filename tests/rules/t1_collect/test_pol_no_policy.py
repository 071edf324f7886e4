from apprights.model.facts import AppFacts
from apprights.rules.t1_collect.pol_no_policy import PolicyMissing
from tests.rules.pol_support import manifest, policy, run


def test_triggers_without_policy(knowledge):
    facts = AppFacts(manifest=manifest("ACCESS_FINE_LOCATION"))
    found = run(PolicyMissing, facts, knowledge)
    assert [f.key for f in found] == ["no_policy"]
    assert found[0].evidence[0].data == {"permission": "android.permission.ACCESS_FINE_LOCATION"}


def test_triggers_when_policy_has_no_collection_rules(knowledge):
    p = policy(base="# 用户协议\n本协议是您与本公司之间的约定。请您遵守法律法规。\n")
    facts = AppFacts(manifest=manifest("CAMERA"), policy=p)
    assert [f.key for f in run(PolicyMissing, facts, knowledge)] == ["no_collection_rules"]


def test_clean_with_policy(knowledge):
    facts = AppFacts(manifest=manifest("ACCESS_FINE_LOCATION"), policy=policy())
    assert run(PolicyMissing, facts, knowledge) == []


def test_clean_when_app_handles_no_pi(knowledge):
    assert run(PolicyMissing, AppFacts(manifest=manifest()), knowledge) == []
