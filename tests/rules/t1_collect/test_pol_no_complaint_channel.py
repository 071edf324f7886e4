from apprights.model.facts import AppFacts
from apprights.rules.t1_collect.pol_no_complaint_channel import PolicyNoComplaintChannel
from tests.rules.pol_support import BASE_POLICY, policy, run


def test_triggers_no_channel(knowledge):
    base = BASE_POLICY.split("三、联系我们")[0]
    found = run(PolicyNoComplaintChannel, AppFacts(policy=policy(base=base)), knowledge)
    assert [f.key for f in found] == ["no_complaint_channel"]


def test_clean_channel_published(knowledge):
    p = policy()
    assert "privacy@example.com" in p.excerpt(p.complaint_channel)
    assert run(PolicyNoComplaintChannel, AppFacts(policy=p), knowledge) == []
