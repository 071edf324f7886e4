from apprights.model.facts import AppFacts
from apprights.rules.t6_autostart.pol_autostart_not_disclosed import PolicyAutostartNotDisclosed
from tests.rules.pol_support import manifest, policy, receiver, run

BOOT = receiver("com.example.app.BootReceiver", "android.intent.action.BOOT_COMPLETED")


def test_triggers_boot_receiver_undisclosed(knowledge):
    facts = AppFacts(manifest=manifest(components=[BOOT]), policy=policy())
    found = run(PolicyAutostartNotDisclosed, facts, knowledge)
    assert [f.key for f in found] == ["autostart"]
    assert found[0].evidence[0].data["component"] == "com.example.app.BootReceiver"


def test_clean_disclosed(knowledge):
    p = policy("六、自启动\n为确保您及时收到消息推送，本应用需要使用自启动能力，您可以在系统设置中关闭。\n")
    assert (
        run(PolicyAutostartNotDisclosed, AppFacts(manifest=manifest(components=[BOOT]), policy=p), knowledge)
        == []
    )


def test_clean_without_receiver(knowledge):
    assert run(PolicyAutostartNotDisclosed, AppFacts(manifest=manifest(), policy=policy()), knowledge) == []
