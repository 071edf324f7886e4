from apprights.model.facts import AppFacts
from apprights.model.finding import Severity
from apprights.rules.t1_collect.pol_response_time import PolicyResponseTime
from tests.rules.pol_support import BASE_POLICY, policy, run


def test_triggers_limit_too_long(knowledge):
    p = policy(base=BASE_POLICY.replace("15个工作日内回复", "三十个工作日内回复"))
    found = run(PolicyResponseTime, AppFacts(policy=p), knowledge)
    assert [f.key for f in found] == ["too_long"]
    assert "三十个工作日" in found[0].evidence[0].data["excerpt"]


def test_triggers_no_limit(knowledge):
    p = policy(base=BASE_POLICY.replace("，我们将在15个工作日内回复", ""))
    found = run(PolicyResponseTime, AppFacts(policy=p), knowledge)
    assert [(f.key, f.severity) for f in found] == [("missing", Severity.LOW)]


def test_clean_fifteen_working_days(knowledge):
    p = policy(base=BASE_POLICY.replace("15个工作日内回复", "十五个工作日内予以答复"))
    assert p.response_days == 15 and p.response_unit == "working_day"
    assert run(PolicyResponseTime, AppFacts(policy=p), knowledge) == []
