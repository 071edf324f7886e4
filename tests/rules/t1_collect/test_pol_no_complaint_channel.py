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


def test_clean_question_email_without_complaint_words(knowledge):
    """Regression (issue 12): 酷安's only channel is a question email with no 投诉/举报/联系我们 word."""
    from apprights.extractors.policy import extract_policy_bytes
    from apprights.testing.factories import make_facts

    base = BASE_POLICY.split("三、联系我们")[0]
    text = base + "当您对本政策有任何疑问，可以发送邮件至 help@coolapk.com 咨询，我们将及时解决您的问题。\n"
    p = extract_policy_bytes(text.encode(), source="coolapk.md")
    assert p.complaint_channel is None and p.contact_emails == ["help@coolapk.com"]
    assert run(PolicyNoComplaintChannel, make_facts(policy=p), knowledge) == []
