from apprights.model.facts import AppFacts
from apprights.rules.t4_targeted_push.pol_targeted_push_not_disclosed import PolicyTargetedPushNotDisclosed
from tests.rules.pol_support import manifest, policy, run, sdk

ADS = sdk("pangle", "穿山甲", "Pangle", "北京巨量引擎网络技术有限公司", "ads")


def test_triggers_ads_sdk_without_disclosure(knowledge):
    found = run(
        PolicyTargetedPushNotDisclosed, AppFacts(manifest=manifest(), sdks=[ADS], policy=policy()), knowledge
    )
    assert [f.key for f in found] == ["not_disclosed"]
    assert found[0].evidence[0].data["sdk"] == "pangle"


def test_clean_disclosed(knowledge):
    p = policy("我们会根据您的浏览记录进行个性化推荐，您可以在设置中关闭个性化推荐。\n")
    assert (
        run(PolicyTargetedPushNotDisclosed, AppFacts(manifest=manifest(), sdks=[ADS], policy=p), knowledge)
        == []
    )


def test_clean_without_ads_sdk(knowledge):
    assert (
        run(PolicyTargetedPushNotDisclosed, AppFacts(manifest=manifest(), policy=policy()), knowledge) == []
    )
