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
