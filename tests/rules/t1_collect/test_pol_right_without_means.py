from apprights.model.facts import AppFacts
from apprights.model.finding import Severity
from apprights.rules.t1_collect.pol_right_without_means import PolicyRightWithoutMeans
from tests.rules.pol_support import BASE_POLICY, policy, run

_RIGHTS_LINE = "您可以查询、更正、删除您的个人信息，也可以在【我的-设置-账号与安全】中注销账号。"


def _findings(base: str, knowledge):
    return run(PolicyRightWithoutMeans, AppFacts(policy=policy(base=base)), knowledge)


def test_triggers_rights_stated_without_any_path(knowledge):
    base = BASE_POLICY.replace(_RIGHTS_LINE, "您可以查询、更正、删除您的个人信息，也可以注销您的账号。")
    assert base != BASE_POLICY
    found = _findings(base, knowledge)
    assert sorted(f.key for f in found) == [
        "no_means:access",
        "no_means:cancellation",
        "no_means:correction",
        "no_means:deletion",
    ]
    f = found[0]
    assert f.legal_basis == ["认定方法 六(1)"]
    assert "您可以查询" in f.evidence[0].data["excerpt"]
    # the policy still publishes a complaint e-mail: a user has somewhere to turn, so the finding is low
    assert all(x.severity == Severity.LOW for x in found)


def test_triggers_medium_when_no_channel_at_all(knowledge):
    base = BASE_POLICY.replace(_RIGHTS_LINE, "您可以注销您的账号。").replace(
        "如您有任何投诉、举报，可发送邮件至 privacy@example.com，我们将在15个工作日内回复。", ""
    )
    found = _findings(base, knowledge)
    assert [(f.key, f.severity) for f in found] == [("no_means:cancellation", Severity.MEDIUM)]


def test_triggers_only_for_the_right_without_a_path(knowledge):
    base = BASE_POLICY.replace(
        _RIGHTS_LINE,
        "您可以在【我的-设置-个人资料】中查询、更正您的个人信息。\n您也有权删除您的个人信息。\n",
    )
    p = policy(base=base)
    assert {"access", "correction", "deletion"} <= set(p.rights)
    found = run(PolicyRightWithoutMeans, AppFacts(policy=p), knowledge)
    assert [f.key for f in found] == ["no_means:deletion"]


def test_clean_rights_with_a_settings_path(knowledge):
    assert _findings(BASE_POLICY, knowledge) == []


def test_clean_right_with_a_channel_in_the_next_sentence(knowledge):
    base = BASE_POLICY.replace(
        _RIGHTS_LINE, "您可以注销您的账号。如需注销，请联系客服或发送邮件至 privacy@example.com。"
    )
    assert _findings(base, knowledge) == []


def test_clean_right_not_stated_is_left_to_other_rules(knowledge):
    base = BASE_POLICY.replace(_RIGHTS_LINE, "")
    assert _findings(base, knowledge) == []
