import pytest

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence
from apprights.rules.t1_collect.pol_pi_not_declared import PolicyPiNotDeclared
from tests.rules.pol_support import code, manifest, policy, run, runtime

IMEI = ("android.telephony.TelephonyManager.getDeviceId", "com.umeng.commonsdk.DeviceConfig")
LOC = ("android.location.LocationManager.getLastKnownLocation", "com.example.app.Main")


def test_triggers_undeclared_imei(knowledge):
    facts = AppFacts(manifest=manifest(), code=code(IMEI, LOC), policy=policy())
    found = run(PolicyPiNotDeclared, facts, knowledge)
    assert [f.key for f in found] == ["device_id"]
    f = found[0]
    assert f.confidence == Confidence.PRESENT
    assert f.evidence[0].source == "dex" and f.evidence[0].data["class"] == IMEI[1]
    assert f.evidence[-1].source == "policy" and f.evidence[-1].data["searched_for"].startswith(
        "PI type device_id"
    )


def test_triggers_when_policy_only_negates_it(knowledge):
    facts = AppFacts(manifest=manifest(), code=code(IMEI), policy=policy("我们不会收集您的IMEI。\n"))
    assert [f.key for f in run(PolicyPiNotDeclared, facts, knowledge)] == ["device_id"]


def test_clean_when_declared(knowledge):
    p = policy("3. 为了保障账号安全，我们会收集您的设备识别码（IMEI）。\n")
    facts = AppFacts(manifest=manifest(), code=code(IMEI, LOC), policy=p)
    assert run(PolicyPiNotDeclared, facts, knowledge) == []


def test_clean_when_generic_identifier_declared(knowledge):
    p = policy("3. 为了保障账号安全，我们会收集您的设备标识符。\n")
    facts = AppFacts(manifest=manifest(), code=code(IMEI), policy=p)
    assert run(PolicyPiNotDeclared, facts, knowledge) == []


def test_triggers_observed_at_runtime(knowledge):
    rt = runtime(reads=[("android.content.ClipboardManager.getPrimaryClip", "clipboard")])
    found = run(PolicyPiNotDeclared, AppFacts(runtime=rt, policy=policy()), knowledge)
    assert [(f.key, f.confidence) for f in found] == [("clipboard", Confidence.OBSERVED)]
    assert found[0].evidence[0].source == "trace" and found[0].evidence[0].data["index"] == 0


def test_clean_runtime_read_declared(knowledge):
    rt = runtime(reads=[("android.location.LocationManager.getLastKnownLocation", "location")])
    assert run(PolicyPiNotDeclared, AppFacts(runtime=rt, policy=policy()), knowledge) == []


ICCID = (
    "android.telephony.TelephonyManager.getSimSerialNumber",
    "com.tencent.bugly.crashreport.common.info.b",
)


def test_iccid_read_is_its_own_type_and_triggers_when_only_imsi_declared(knowledge):
    """getSimSerialNumber reads the ICCID (issue 8): a policy naming only the IMSI does not declare it."""
    p = policy("3. 为了识别设备，我们会收集您的IMSI。\n")
    facts = AppFacts(manifest=manifest(), code=code(ICCID), policy=p)
    found = run(PolicyPiNotDeclared, facts, knowledge)
    assert [f.key for f in found] == ["iccid"]
    assert "SIM卡序列号(ICCID)" in found[0].detail_zh and "SIM serial number (ICCID)" in found[0].detail_en


@pytest.mark.parametrize(
    "sentence",
    [
        "3. 为了识别设备，我们会收集您的SIM卡信息。\n",
        "3. 为了识别设备，我们会收集您的SIM卡序列号。\n",
        "3. 为了识别设备，我们会收集您的ICCID。\n",
        "3. 为了保障账号安全，我们会收集您的设备标识符。\n",
    ],
)
def test_clean_when_sim_information_declared(knowledge, sentence):
    facts = AppFacts(manifest=manifest(), code=code(ICCID), policy=policy(sentence))
    assert run(PolicyPiNotDeclared, facts, knowledge) == []
