from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Severity
from apprights.rules.t1_collect.pol_no_policy import PolicyMissing
from tests.rules.pol_support import code, manifest, policy, run, runtime, sdk


def test_triggers_without_policy(knowledge):
    facts = AppFacts(manifest=manifest("ACCESS_FINE_LOCATION"))
    found = run(PolicyMissing, facts, knowledge)
    assert [f.key for f in found] == ["no_policy"]
    assert found[0].evidence[0].data == {"permission": "android.permission.ACCESS_FINE_LOCATION"}


def test_triggers_when_policy_has_no_collection_rules(knowledge):
    p = policy(base="# 用户协议\n本协议是您与本公司之间的约定。请您遵守法律法规。\n")
    facts = AppFacts(manifest=manifest("CAMERA"), policy=p)
    assert [f.key for f in run(PolicyMissing, facts, knowledge)] == ["no_collection_rules"]


def test_clean_with_policy(knowledge):
    facts = AppFacts(manifest=manifest("ACCESS_FINE_LOCATION"), policy=policy())
    assert run(PolicyMissing, facts, knowledge) == []


def test_clean_when_app_handles_no_pi(knowledge):
    assert run(PolicyMissing, AppFacts(manifest=manifest()), knowledge) == []


def test_no_policy_is_a_low_severity_review_item(knowledge):
    facts = AppFacts(manifest=manifest("READ_PHONE_STATE"))
    [f] = run(PolicyMissing, facts, knowledge)
    assert f.severity == Severity.LOW and f.confidence == Confidence.DECLARED
    assert "needs review" in f.title_en and "复核" in f.title_zh
    last = f.evidence[-1]
    assert last.source == "policy" and last.data["supplied"] is False and last.data["needs_review"] is True


def test_not_fired_for_non_pi_permissions_and_sdks_alone(knowledge):
    # POST_NOTIFICATIONS is dangerous but gives no personal information; an SDK alone is not a PI read
    push = sdk("jpush", "极光推送", "JPush", "深圳市和讯华谷信息技术有限公司", "push")
    facts = AppFacts(manifest=manifest("POST_NOTIFICATIONS"), sdks=[push])
    assert run(PolicyMissing, facts, knowledge) == []


def test_fires_on_pi_call_site_or_runtime_read_without_permissions(knowledge):
    imei = ("android.telephony.TelephonyManager.getDeviceId", "com.example.app.Main")
    facts = AppFacts(manifest=manifest(), code=code(imei))
    [f] = run(PolicyMissing, facts, knowledge)
    assert any(e.data.get("pi_type") == "device_id" for e in f.evidence)
    rt = runtime(reads=[("android.telephony.TelephonyManager.getDeviceId", "device_id")])
    facts = AppFacts(manifest=manifest(), runtime=rt)
    assert [x.key for x in run(PolicyMissing, facts, knowledge)] == ["no_policy"]
