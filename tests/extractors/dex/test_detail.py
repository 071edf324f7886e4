"""Code-level precision of the dex scanner on dex files built with ``apprights.testing``: constant arguments of
argument-filtered APIs (Settings key, content URI from a string, ``Uri.parse`` or a platform ``CONTENT_URI``
field) and reflective reads (plain, reversed, concatenated names)."""

from __future__ import annotations

import functools

from apprights.extractors.dex import DexTargets, extract_code
from apprights.knowledge import Knowledge
from apprights.model.facts import CallSite, CodeFacts
from apprights.testing.dexwriter import ACC_PUBLIC, ACC_STATIC, Code, DexClass, write_dex

STATIC = ACC_PUBLIC | ACC_STATIC
SECURE_GET = (
    "Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)"
    "Ljava/lang/String;"
)
QUERY = (
    "Landroid/content/ContentResolver;->query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;"
    "[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;"
)
PHONE_URI = "Landroid/provider/ContactsContract$CommonDataKinds$Phone;->CONTENT_URI:Landroid/net/Uri;"
CALLS_URI = "Landroid/provider/CallLog$Calls;->CONTENT_URI:Landroid/net/Uri;"
URI_PARSE = "Landroid/net/Uri;->parse(Ljava/lang/String;)Landroid/net/Uri;"
FOR_NAME = "Ljava/lang/Class;->forName(Ljava/lang/String;)Ljava/lang/Class;"
GET_METHOD = "Ljava/lang/Class;->getMethod(Ljava/lang/String;[Ljava/lang/Class;)Ljava/lang/reflect/Method;"


@functools.cache
def targets() -> DexTargets:
    return DexTargets.from_catalogue(Knowledge.load().sensitive_apis)


def _static(
    cls: DexClass, name: str, code: Code, proto: str = "(Landroid/content/ContentResolver;)V"
) -> None:
    cls.add_method(name, proto, code=code.return_void(), access=STATIC)


def _sites(code: CodeFacts) -> dict[tuple[str, str], CallSite]:
    return {(s.caller_method, s.api.rsplit(".", 1)[1]): s for s in code.call_sites}


def _scan(*classes: DexClass, roots: dict[str, bool] | None = None) -> CodeFacts:
    return extract_code([("classes.dex", write_dex(list(classes)))], targets(), reach_roots=roots)


def test_settings_key_is_read_from_the_const_string_argument() -> None:
    c = DexClass("com.example.app.Ids")
    _static(c, "androidId", Code().const_string(1, "android_id").invoke_static(SECURE_GET, [0, 1]))
    _static(c, "listeners", Code().const_string(1, "enabled_notification_listeners").invoke_static(SECURE_GET, [0, 1]))  # fmt: skip
    # the key register is overwritten by another const-string before the call: the last one counts
    _static(
        c,
        "overwritten",
        Code()
        .const_string(1, "android_id")
        .const_string(1, "bluetooth_name")
        .invoke_static(SECURE_GET, [0, 1]),
    )
    _static(c, "unknown", Code().invoke_static(SECURE_GET, [0, 1]))  # key from a parameter: no constant
    s = _sites(_scan(c))
    assert s[("androidId", "getString")].args == ["android_id"]
    assert s[("listeners", "getString")].args == ["enabled_notification_listeners"]
    assert s[("overwritten", "getString")].args == ["bluetooth_name"]
    assert s[("unknown", "getString")].args == []


def test_content_uri_from_static_field_uri_parse_and_string() -> None:
    c = DexClass("com.mob.contacts.Reader")
    _static(c, "phones", Code().sget_object(1, PHONE_URI).invoke_virtual(QUERY, [0, 1, 2, 3, 4, 5]))
    _static(c, "calls", Code().sget_object(2, CALLS_URI).raw(0x07 | 1 << 8 | 2 << 12).invoke_virtual(QUERY, [0, 1, 2, 3, 4, 5]))  # fmt: skip
    _static(
        c,
        "sms",
        Code()
        .const_string(1, "content://sms/inbox")
        .invoke_static(URI_PARSE, [1])
        .move_result_object(1)
        .invoke_virtual(QUERY, [0, 1, 2, 3, 4, 5]),
    )
    s = _sites(_scan(c))
    assert s[("phones", "query")].args == ["content://com.android.contacts/data/phones"]
    assert s[("calls", "query")].args == ["content://call_log/calls"]
    assert s[("sms", "query")].args == ["content://sms/inbox"]


def test_reflective_reads_plain_reversed_and_concatenated() -> None:
    c = DexClass("com.sdk.refl.R")
    _static(
        c,
        "plain",
        Code()
        .const_string(0, "android.telephony.TelephonyManager")
        .invoke_static(FOR_NAME, [0])
        .move_result_object(0)
        .const_string(1, "getDeviceId")
        .invoke_virtual(GET_METHOD, [0, 1, 2]),
        "()V",
    )
    _static(
        c, "reversed", Code().const_string(1, "sserddAcaMteg").invoke_virtual(GET_METHOD, [0, 1, 2]), "()V"
    )
    _static(
        c,
        "concat",
        Code().const_string(1, "get").const_string(2, "SubscriberId").invoke_virtual(GET_METHOD, [0, 1, 2]),
        "()V",
    )
    # a sensitive name without any reflection call is no read, and a generic name is never one
    _static(c, "noReflection", Code().const_string(1, "getDeviceId"), "()V")
    _static(c, "generic", Code().const_string(1, "getString").invoke_virtual(GET_METHOD, [0, 1, 2]), "()V")
    code = _scan(c)
    got = {(s.caller_method, s.api) for s in code.call_sites}
    assert got == {
        ("plain", "android.telephony.TelephonyManager.getDeviceId"),
        ("reversed", "android.net.wifi.WifiInfo.getMacAddress"),
        ("concat", "android.telephony.TelephonyManager.getSubscriberId"),
    }
    assert all(s.reflective for s in code.call_sites)
    assert "java.lang.Class.getMethod" not in code.referenced_apis  # internal target, not a catalogue API


def test_xiaomi_oaid_through_reflection_as_android_cn_oaid_does() -> None:
    # Android_CN_OAID's Xiaomi channel: Class.forName("com.android.id.impl.IdProviderImpl").getMethod("getOAID", …)
    c = DexClass("com.github.gzuliyujiang.oaid.impl.XiaomiImpl")
    _static(
        c,
        "doGet",
        Code()
        .const_string(0, "com.android.id.impl.IdProviderImpl")
        .invoke_static(FOR_NAME, [0])
        .move_result_object(0)
        .const_string(1, "getOAID")
        .invoke_virtual(GET_METHOD, [0, 1, 2]),
        "()V",
    )
    [site] = _scan(c).call_sites
    assert site.api == "com.android.id.impl.IdProviderImpl.getOAID" and site.reflective


def test_identifier_sdk_entry_points_are_oaid_reads() -> None:
    cat = Knowledge.load().sensitive_apis
    for api in (
        "com.github.gzuliyujiang.oaid.DeviceIdentifier.getOAID",
        "com.hihonor.ads.identifier.AdvertisingIdClient.getAdvertisingIdInfo",
        "com.heytap.openid.IOpenID$Stub$Proxy.getSerID",
        "com.zui.deviceidservice.IDeviceidInterface$Stub$Proxy.getOAID",
    ):
        assert [a.pi_type for a in cat.lookup(api)] == ["oaid"], api
    widevine = cat.lookup("android.media.MediaDrm.getPropertyByteArray")
    assert [a.pi_type for a in widevine] == ["device_id"]
    assert widevine[0].matches_value("deviceUniqueId") and not widevine[0].matches_value("vendor")


def _helper_classes() -> list[DexClass]:
    # SMSSDK's pattern: a helper a(Uri, …) queries its parameter; its caller passes Phone.CONTENT_URI
    helper = DexClass("cn.smssdk.contact.Q")
    helper.add_method(
        "a",
        "(Landroid/content/ContentResolver;Landroid/net/Uri;)V",
        # 8 registers, the two parameters in v6 and v7, moved down for invoke-virtual/range {v0 .. v5}
        code=Code()
        .raw(0x07 | 0 << 8 | 6 << 12)
        .raw(0x07 | 1 << 8 | 7 << 12)
        .invoke_virtual(QUERY, [0, 1, 2, 3, 4, 5])
        .return_void(),
        access=STATIC,
        registers=8,
    )
    user = DexClass("cn.smssdk.contact.Reader")
    _static(
        user,
        "phones",
        Code()
        .sget_object(1, PHONE_URI)
        .invoke_static(
            "Lcn/smssdk/contact/Q;->a(Landroid/content/ContentResolver;Landroid/net/Uri;)V", [0, 1]
        ),
    )
    return [helper, user]


def test_content_uri_passed_to_a_query_helper_one_level_up() -> None:
    s = _sites(_scan(*_helper_classes()))
    assert s[("a", "query")].args == ["content://com.android.contacts/data/phones"]
