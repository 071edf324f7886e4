from apprights.model.facts import AppFacts
from apprights.model.finding import SubjectKind
from apprights.rules.t1_collect.pol_sdk_not_listed import PolicySdkNotListed
from tests.rules.pol_support import manifest, policy, run, sdk

UMENG = sdk("umeng-analytics", "友盟统计", "Umeng Analytics", "友盟同欣(北京)科技有限公司", "analytics")
SDK_LIST = """
四、第三方SDK列表
| SDK名称 | 公司名称 | 使用目的 | 收集个人信息类型 | 隐私政策链接 |
|---|---|---|---|---|
| {name} | {company} | 统计分析 | 设备标识符（IMEI、OAID） | https://example.com/p |
"""


def test_triggers_sdk_missing_from_list(knowledge):
    p = policy(SDK_LIST.format(name="高德地图SDK", company="高德软件有限公司"), knowledge=knowledge)
    found = run(PolicySdkNotListed, AppFacts(manifest=manifest(), sdks=[UMENG], policy=p), knowledge)
    assert [f.key for f in found] == ["umeng-analytics"]
    assert found[0].subject.kind == SubjectKind.SDK
    assert found[0].evidence[-1].data["sdk_list_size"] == 1


def test_clean_sdk_listed(knowledge):
    p = policy(
        SDK_LIST.format(name="友盟统计SDK", company="友盟同欣（北京）科技有限公司"), knowledge=knowledge
    )
    assert p.sdk_list[0].sdk_id == "umeng-analytics"
    assert run(PolicySdkNotListed, AppFacts(manifest=manifest(), sdks=[UMENG], policy=p), knowledge) == []


def test_clean_unused_sdk(knowledge):
    unused = sdk("umeng-analytics", "友盟统计", "Umeng Analytics", "友盟", "analytics")
    unused.used = False
    assert (
        run(PolicySdkNotListed, AppFacts(manifest=manifest(), sdks=[unused], policy=policy()), knowledge)
        == []
    )
