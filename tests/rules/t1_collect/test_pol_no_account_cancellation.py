from apprights.model.facts import AppFacts
from apprights.rules.t1_collect.pol_no_account_cancellation import PolicyNoAccountCancellation
from tests.rules.pol_support import BASE_POLICY, policy, run


def test_triggers_no_cancellation(knowledge):
    p = policy(base=BASE_POLICY.replace("，也可以在【我的-设置-账号与安全】中注销账号", ""))
    assert [f.key for f in run(PolicyNoAccountCancellation, AppFacts(policy=p), knowledge)] == [
        "no_cancellation"
    ]


def test_clean_cancellation_described(knowledge):
    assert run(PolicyNoAccountCancellation, AppFacts(policy=policy()), knowledge) == []


def test_triggers_when_cancellation_is_only_mentioned(knowledge):
    base = BASE_POLICY.replace(
        "，也可以在【我的-设置-账号与安全】中注销账号", "。在您注销账号后，我们将删除或匿名化处理您的个人信息"
    )
    p = policy(base=base)
    assert "cancellation" not in p.rights
    assert [f.key for f in run(PolicyNoAccountCancellation, AppFacts(policy=p), knowledge)] == [
        "no_cancellation"
    ]
