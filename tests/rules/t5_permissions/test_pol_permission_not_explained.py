from apprights.model.facts import AppFacts
from apprights.rules.t5_permissions.pol_permission_not_explained import PolicyPermissionNotExplained
from tests.rules.pol_support import manifest, policy, run

LOCATION = "五、权限说明\n我们会申请位置权限，用于为您推荐附近的服务。\n"


def test_triggers_unexplained_permission(knowledge):
    facts = AppFacts(manifest=manifest("ACCESS_FINE_LOCATION", "READ_PHONE_STATE"), policy=policy(LOCATION))
    found = run(PolicyPermissionNotExplained, facts, knowledge)
    assert [f.key for f in found] == ["android.permission.READ_PHONE_STATE"]
    assert found[0].evidence[0].source == "manifest"


def test_clean_all_explained(knowledge):
    p = policy(LOCATION + "我们会申请电话权限（读取设备信息），用于识别设备、保障账号安全。\n")
    facts = AppFacts(manifest=manifest("ACCESS_FINE_LOCATION", "READ_PHONE_STATE"), policy=p)
    assert run(PolicyPermissionNotExplained, facts, knowledge) == []
