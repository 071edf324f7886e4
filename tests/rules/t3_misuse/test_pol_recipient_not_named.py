from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence
from apprights.rules.t3_misuse.pol_recipient_not_named import PolicyRecipientNotNamed
from tests.rules.pol_support import manifest, policy, run, runtime, sdk


def _bugly():
    return sdk(
        "tencent-bugly",
        "腾讯Bugly",
        "Tencent Bugly",
        "深圳市腾讯计算机系统有限公司",
        "crash",
        pi_apis=["android.telephony.TelephonyManager.getDeviceId"],
        hosts=["bugly.qq.com"],
    )


def test_triggers_networked_sdk_not_named(knowledge):
    found = run(
        PolicyRecipientNotNamed, AppFacts(manifest=manifest(), sdks=[_bugly()], policy=policy()), knowledge
    )
    assert [(f.key, f.confidence) for f in found] == [("tencent-bugly", Confidence.PRESENT)]


def test_clean_vendor_named_as_recipient(knowledge):
    p = policy("四、共享\n为了分析应用崩溃原因，我们会向深圳市腾讯计算机系统有限公司共享您的设备标识符。\n")
    assert (
        run(PolicyRecipientNotNamed, AppFacts(manifest=manifest(), sdks=[_bugly()], policy=p), knowledge)
        == []
    )


def test_triggers_observed_transfer_to_unnamed_host(knowledge):
    rt = runtime(transfers=[("collect.tracker.example", None, "device_id")])
    found = run(PolicyRecipientNotNamed, AppFacts(runtime=rt, policy=policy()), knowledge)
    assert [(f.key, f.confidence) for f in found] == [
        ("collect.tracker.example", Confidence.OBSERVED_IN_VIOLATION)
    ]
    assert found[0].evidence[0].data["host"] == "collect.tracker.example"


def test_clean_transfer_to_named_sdk(knowledge):
    p = policy(
        "SDK名称：腾讯Bugly；公司名称：深圳市腾讯计算机系统有限公司；收集信息：设备标识符\n",
        knowledge=knowledge,
    )
    rt = runtime(transfers=[("android.bugly.qq.com", "tencent-bugly", "device_id")])
    assert run(PolicyRecipientNotNamed, AppFacts(runtime=rt, sdks=[_bugly()], policy=p), knowledge) == []
