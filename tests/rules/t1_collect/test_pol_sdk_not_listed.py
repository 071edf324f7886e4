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


def test_clean_when_listed_under_an_alias_or_vendor_brand(knowledge):
    # "HMS Push" names Huawei's push kit; "个推" (brand only) covers the vendor's SDK family
    hms = sdk("huawei-push", "华为推送", "Huawei Push Kit", "华为软件技术有限公司", "push")
    gy = sdk("getui-gy", "个推一键认证(个验)", "Getui GY one-tap login", "每日互动股份有限公司", "social")
    p = policy(
        SDK_LIST.format(name="HMS Push", company="华为")
        + "| 个推 | 每日互动股份有限公司 | 推送 | 设备信息 | - |\n",
        knowledge=knowledge,
    )
    assert [e.sdk_id for e in p.sdk_list] == ["huawei-push", "getui-push"]
    facts = AppFacts(manifest=manifest(), sdks=[hms, gy], policy=p)
    assert run(PolicySdkNotListed, facts, knowledge) == []


def test_alias_does_not_cover_another_vendor(knowledge):
    oppo = sdk("oppo-push", "OPPO推送", "OPPO (HeyTap) Push", "广东欢太科技有限公司", "push")
    p = policy(SDK_LIST.format(name="HMS Push", company="华为"), knowledge=knowledge)
    found = run(PolicySdkNotListed, AppFacts(manifest=manifest(), sdks=[oppo], policy=p), knowledge)
    assert [f.key for f in found] == ["oppo-push"]
