from apprights.model.facts import AppFacts
from apprights.rules.t4_targeted_push.pol_targeted_push_no_opt_out import PolicyTargetedPushNoOptOut
from tests.rules.pol_support import policy, run


def test_triggers_disclosed_without_opt_out(knowledge):
    p = policy("五、个性化推荐\n我们会根据您的浏览记录和兴趣偏好，向您进行个性化推荐。\n")
    found = run(PolicyTargetedPushNoOptOut, AppFacts(policy=p), knowledge)
    assert [f.key for f in found] == ["no_opt_out"]
    assert "个性化推荐" in found[0].evidence[0].data["excerpt"]


def test_clean_with_opt_out(knowledge):
    p = policy(
        "五、个性化推荐\n我们会根据您的浏览记录，向您进行个性化推荐。\n"
        "您可以在【我的-设置-隐私】中关闭个性化推荐开关。\n"
    )
    assert p.targeted_push_opt_out is not None
    assert run(PolicyTargetedPushNoOptOut, AppFacts(policy=p), knowledge) == []
