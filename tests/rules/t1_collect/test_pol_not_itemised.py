from apprights.model.facts import AppFacts
from apprights.rules.t1_collect.pol_not_itemised import PolicyNotItemised
from tests.rules.pol_support import policy, run


def test_triggers_blanket_collection_statement(knowledge):
    p = policy(
        base="# 隐私政策\n一、我们如何收集和使用您的个人信息\n我们可能收集您的手机号、位置信息、IMEI和通讯录。\n"
    )
    found = run(PolicyNotItemised, AppFacts(policy=p), knowledge)
    assert [f.key for f in found] == ["not_itemised"]
    assert "contacts" in found[0].evidence[0].data["declared_types"]


def test_clean_itemised(knowledge):
    p = policy("3. 为了保障账号安全，我们会收集您的设备识别码（IMEI）。\n")
    assert p.itemised
    assert run(PolicyNotItemised, AppFacts(policy=p), knowledge) == []


def test_triggers_when_most_types_have_no_purpose(knowledge):
    p = policy(
        base="# 隐私政策\n一、我们如何收集和使用您的个人信息\n"
        "1. 为了完成注册，我们会收集您的手机号码。\n2. 为了推荐附近门店，我们会收集您的位置信息。\n"
        "3. 为了扫码，我们会使用您的相机。\n"
        "此外，我们还会收集您的通讯录、短信、通话记录、IMEI、MAC地址、软件安装列表和日历。\n"
    )
    assert not p.itemised and p.purpose_coverage < 0.5
    [f] = run(PolicyNotItemised, AppFacts(policy=p), knowledge)
    assert f.evidence[0].data["purpose_coverage"] == p.purpose_coverage
    assert set(f.evidence[0].data["types_with_purpose"]) == {"phone_number", "location", "camera"}


def test_clean_when_function_headings_give_purposes(knowledge):
    p = policy(
        base="# 隐私政策\n## 一、我们如何收集和使用您的个人信息\n### 1. 账号注册\n我们会收集您的手机号码。\n"
        "### 2. 附近门店\n我们会收集您的位置信息。\n### 3. 扫码入园\n我们会使用您的相机。\n"
    )
    assert p.itemised and p.purpose_coverage == 1.0
    assert run(PolicyNotItemised, AppFacts(policy=p), knowledge) == []
