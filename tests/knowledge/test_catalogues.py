"""Integrity of the packaged knowledge: counts, ids, prefixes, hosts and PI vocabulary."""

from __future__ import annotations

import csv
import re
from collections import Counter

from apprights.knowledge import Knowledge
from apprights.knowledge.sdks import CATEGORIES, TRIVIAL_PREFIXES, valid_host, valid_prefix
from apprights.model.pi import PIType
from tests.conftest import shared_path

PI = {p.value for p in PIType}
KINDS = {"read", "send", "request", "start", "download", "listen", "exec", "schedule", "write"}


def test_every_file_has_a_version(knowledge: Knowledge) -> None:
    versions = knowledge.versions()
    # built by tools/build_knowledge.py, all with one version
    built = {"sensitive_apis", "sdks", "permissions", "categories"}
    assert built <= set(versions) <= built | {"policy_lexicon"}  # the policy lexicon is versioned on its own
    for name in built:
        assert re.fullmatch(r"\d{4}\.\d{2}\.\d{2}-\d+", versions[name]), versions[name]
    assert len({versions[name] for name in built}) == 1


def test_sdk_counts(knowledge: Knowledge) -> None:
    entries = knowledge.sdks.entries
    assert len(entries) >= 600
    assert sum(1 for e in entries if e.country == "CN") >= 350
    cats = Counter(e.category for e in entries)
    assert set(cats) <= set(CATEGORIES)
    for cat in CATEGORIES:
        assert cats[cat] >= 3, cat


def test_sdk_ids_unique_and_slugs(knowledge: Knowledge) -> None:
    ids = [e.id for e in knowledge.sdks.entries]
    assert len(ids) == len(set(ids))
    for i in ids:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i), i


def test_sdk_prefixes_dotted_nontrivial_and_owned_once(knowledge: Knowledge) -> None:
    owner: dict[str, str] = {}
    for e in knowledge.sdks.entries:
        assert e.prefixes or e.components, e.id
        for p in e.prefixes:
            assert valid_prefix(p), (e.id, p)
            assert len(p.split(".")) >= 2 and all(p.split(".")), (e.id, p)
            assert p not in {"com", "cn", "android", "org", "net", "io", *TRIVIAL_PREFIXES}, (e.id, p)
            assert not p.endswith("."), p
            assert p not in owner, f"{p} in {owner.get(p)} and {e.id}"
            owner[p] = e.id


def test_sdk_hosts_look_like_domains(knowledge: Knowledge) -> None:
    for e in knowledge.sdks.entries:
        for h in e.hosts:
            assert valid_host(h), (e.id, h)


def test_sdk_pi_values_are_pi_types(knowledge: Knowledge) -> None:
    for e in knowledge.sdks.entries:
        for v in e.pi:
            assert v in PI, (e.id, v)


def test_major_chinese_sdks_are_curated(knowledge: Knowledge) -> None:
    sdks = knowledge.sdks
    expect = {
        "jpush": "cn.jpush.android.service.PushService",
        "getui-push": "com.igexin.sdk.PushService",
        "xiaomi-push": "com.xiaomi.push.service.receivers.NetworkStatusReceiver",
        "msa-oaid": None,
        "umeng-analytics": None,
        "tencent-gdt": None,
        "pangle": None,
        "amap-location": "com.amap.api.location.APSService",
    }
    for sid, component in expect.items():
        e = sdks.get(sid)
        assert e is not None and e.country == "CN" and e.vendor, sid
        if component:
            assert component in e.components
            assert sdks.match_component(component) is e
    assert sdks.match_class("com.bun.miitmdid.core.MdidSdkHelper").id == "msa-oaid"  # type: ignore[union-attr]
    assert "UMENG_APPKEY" in sdks.get("umeng-common").meta_data  # type: ignore[union-attr]
    assert [e.id for e in sdks.match_meta_data("com.baidu.lbsapi.API_KEY")][:2] == [
        "baidu-map",
        "baidu-location",
    ]


def test_longest_prefix_wins(knowledge: Knowledge) -> None:
    sdks = knowledge.sdks
    assert sdks.match_class("com.tencent.bugly.crashreport.CrashReport").id == "tencent-bugly"  # type: ignore[union-attr]
    assert sdks.match_class("com.tencent.bugly.beta.tinker.TinkerManager").id == "tencent-tinker"  # type: ignore[union-attr]
    assert sdks.match_class("com.tencent.map.geolocation.TencentLocation").id == "tencent-location"  # type: ignore[union-attr]
    assert sdks.match_class("com.tencent.map.Foo").id == "tencent-map"  # type: ignore[union-attr]
    assert sdks.match_class("com.example.Foo") is None
    assert sdks.match_component("com.example.app.wxapi.WXEntryActivity").id == "wechat-sdk"  # type: ignore[union-attr]
    assert sdks.match_host("ulogs.umeng.com").id == "umeng-common"  # type: ignore[union-attr]


def test_sensitive_apis(knowledge: Knowledge) -> None:
    apis = knowledge.sensitive_apis.apis
    assert len(apis) >= 100
    for a in apis:
        assert a.pi_type in PI, a.api
        assert a.kind in KINDS, a.api
        assert a.label_zh and a.label_en, a.api
        assert re.fullmatch(r"[\w$.]+\.[\w$]+", a.class_name), a.api
        assert a.class_descriptor.startswith("L") and a.class_descriptor.endswith(";")
    keys = [(a.api, repr(a.arg_filter)) for a in apis]
    assert len(keys) == len(set(keys))


def test_android_id_and_content_uri_filters(knowledge: Knowledge) -> None:
    cat = knowledge.sensitive_apis
    secure = "android.provider.Settings$Secure.getString"
    assert [a.pi_type for a in cat.match(secure, ["resolver", "android_id"])] == ["android_id"]
    assert cat.match(secure, ["resolver", "bluetooth_name"]) == []
    query = "android.content.ContentResolver.query"
    by_uri = {
        "content://com.android.contacts/data/phones": "contacts",
        "content://sms/inbox": "sms",
        "content://call_log/calls": "call_log",
        "content://com.android.calendar/events": "calendar",
        "content://media/external/images/media": "photos",
        "content://browser/bookmarks": "browser_history",
        "content://com.vivo.vms.IdProvider/IdentifierId/OAID": "oaid",  # vendor OAID channels
        "content://com.meizu.flyme.openidsdk/": "oaid",
    }
    for uri, pi in by_uri.items():
        assert [a.pi_type for a in cat.match(query, [uri, None])] == [pi], uri
    assert cat.match(query, ["content://com.example.provider/x"]) == []
    assert len(cat.lookup(query)) == 7


def test_required_hooks_present(knowledge: Knowledge) -> None:
    have = {a.api for a in knowledge.sensitive_apis.apis}
    required = [
        "android.app.usage.UsageStatsManager.queryUsageStats",
        "android.app.ActivityManager.getRunningTasks",
        "android.app.ActivityManager.getRecentTasks",
        "android.app.ActivityManager.getRunningAppProcesses",
        "android.accounts.AccountManager.getAccounts",
        "android.accounts.AccountManager.getAccountsByType",
        "android.net.wifi.WifiInfo.getIpAddress",
        "android.net.wifi.WifiInfo.getMacAddress",
        "android.net.wifi.WifiInfo.getSSID",
        "android.net.wifi.WifiInfo.getBSSID",
        "android.net.wifi.WifiManager.getScanResults",
        "android.net.wifi.WifiManager.getConnectionInfo",
        "android.net.wifi.WifiManager.getConfiguredNetworks",
        "java.net.NetworkInterface.getHardwareAddress",
        "android.bluetooth.BluetoothAdapter.getAddress",
        "android.os.Build.getSerial",
        "android.telephony.TelephonyManager.getDeviceId",
        "android.telephony.TelephonyManager.getImei",
        "android.telephony.TelephonyManager.getMeid",
        "android.telephony.TelephonyManager.getSubscriberId",
        "android.telephony.TelephonyManager.getSimSerialNumber",
        "android.telephony.TelephonyManager.getLine1Number",
        "android.telephony.TelephonyManager.getSimOperator",
        "android.telephony.TelephonyManager.getNetworkOperator",
        "android.telephony.TelephonyManager.getCellLocation",
        "android.telephony.TelephonyManager.getAllCellInfo",
        "android.content.pm.PackageManager.getInstalledPackages",
        "android.app.ApplicationPackageManager.getInstalledPackages",
        "android.content.pm.PackageManager.getInstalledApplications",
        "android.content.pm.PackageManager.queryIntentActivities",
        "android.app.ApplicationPackageManager.queryIntentActivities",
        "android.content.ClipboardManager.getPrimaryClip",
        "android.content.ClipboardManager.getPrimaryClipDescription",
        "android.content.ClipboardManager.hasPrimaryClip",
        "android.location.LocationManager.requestLocationUpdates",
        "android.location.LocationManager.getLastKnownLocation",
        "android.location.LocationManager.requestSingleUpdate",
        "android.location.LocationManager.getCurrentLocation",
        "android.location.Location.getLatitude",
        "android.location.Location.getLongitude",
        "android.location.Geocoder.getFromLocation",
        "android.hardware.Camera.open",
        "android.hardware.camera2.CameraManager.openCamera",
        "android.media.MediaRecorder.start",
        "android.media.AudioRecord.startRecording",
        "android.hardware.SensorManager.getSensorList",
        "android.hardware.SensorManager.registerListener",
        "android.telephony.SmsManager.sendTextMessage",
        "android.telephony.SmsManager.sendMultipartTextMessage",
        "android.telephony.SmsManager.sendDataMessage",
        "android.content.ContentResolver.query",
        "android.content.ContentResolver.registerContentObserver",
        "android.app.Activity.requestPermissions",
        "androidx.core.app.ActivityCompat.requestPermissions",
        "android.support.v4.app.ActivityCompat.requestPermissions",
        "com.google.android.gms.ads.identifier.AdvertisingIdClient.getAdvertisingIdInfo",
        "java.lang.Runtime.exec",
        "android.app.DownloadManager.enqueue",
        "android.content.pm.PackageInstaller.createSession",
        "android.content.Context.startActivity",
        "android.content.Context.startService",
        "android.content.Context.bindService",
        "android.content.pm.PackageManager.getLaunchIntentForPackage",
        "android.app.AlarmManager.setRepeating",
        "android.app.AlarmManager.setInexactRepeating",
        "android.app.job.JobScheduler.schedule",
        "android.provider.Settings$Secure.getString",
        "android.telephony.UiccCardInfo.getIccId",
        "android.app.admin.DevicePolicyManager.getWifiMacAddress",
        "android.bluetooth.BluetoothDevice.getAddress",
    ]
    assert sorted(set(required) - have) == []
    kinds = {a.api: a.kind for a in knowledge.sensitive_apis.apis}
    assert kinds["java.lang.Runtime.exec"] == "exec"
    assert kinds["android.app.DownloadManager.enqueue"] == "download"
    assert kinds["androidx.core.app.ActivityCompat.requestPermissions"] == "request"
    assert kinds["android.content.Context.startActivity"] == "start"
    assert kinds["android.app.job.JobScheduler.schedule"] == "schedule"
    types = {a.api: a.pi_type for a in knowledge.sensitive_apis.apis}
    # issue 8: the SIM serial number is the ICCID, its own type (not the IMSI)
    assert types["android.telephony.TelephonyManager.getSimSerialNumber"] == "iccid"
    assert types["android.telephony.SubscriptionInfo.getIccId"] == "iccid"
    assert types["android.telephony.UiccCardInfo.getIccId"] == "iccid"
    assert types["android.telephony.TelephonyManager.getSubscriberId"] == "imsi"


def test_every_practitioner_hook_is_covered(knowledge: Knowledge) -> None:
    """Each hook point of the practitioner list (except its custom demo hooks) has a catalogue entry."""
    path = shared_path("permissions", "camille_sensitive_api_hooks.tsv")
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    have = {a.api for a in knowledge.sensitive_apis.apis}
    missing = []
    for r in rows:
        if r["group_fn"] == "customHook":
            continue
        method = "<init>" if r["method"] == "$init" else r["method"]
        if f"{r['class']}.{method}" not in have:
            missing.append(f"{r['class']}.{method}")
    assert rows and missing == []


def test_permissions(knowledge: Knowledge) -> None:
    perms = knowledge.permissions
    assert len(perms.entries) >= 1000
    assert all(p.protection_level != "unknown" and p.name.count(".") >= 2 for p in perms.entries)
    dangerous = [p for p in perms.entries if p.dangerous]
    assert len(dangerous) >= 40
    for p in dangerous:
        assert p.group, p.name
        assert p.label_zh, p.name
    assert perms.get("android.permission.READ_PHONE_STATE").label_zh == "读取电话状态"  # type: ignore[union-attr]
    assert perms.get("android.permission.ACCESS_FINE_LOCATION").label_zh == "精确位置"  # type: ignore[union-attr]
    assert perms.get("android.permission.READ_CONTACTS").label_zh == "读取通讯录"  # type: ignore[union-attr]
    for name in (
        "QUERY_ALL_PACKAGES",
        "GET_TASKS",
        "PACKAGE_USAGE_STATS",
        "RECEIVE_BOOT_COMPLETED",
        "REQUEST_INSTALL_PACKAGES",
        "SYSTEM_ALERT_WINDOW",
        "ACCESS_WIFI_STATE",
        "BLUETOOTH",
    ):
        p = perms.get(f"android.permission.{name}")
        assert p is not None and p.regulated and not p.dangerous and p.label_zh, name
        assert perms.is_regulated(p.name)
    assert perms.get("android.permission.QUERY_ALL_PACKAGES").pi_type == "installed_apps"  # type: ignore[union-attr]
    assert not perms.is_regulated("android.permission.INTERNET")
    with_pi = [p for p in perms.entries if p.pi_type]
    assert len(with_pi) >= 40
    for p in with_pi:
        assert p.pi_type in PI and p.label_zh, p.name
    assert {p.name for p in perms.for_pi("location")} >= {
        "android.permission.ACCESS_FINE_LOCATION",
        "android.permission.ACCESS_COARSE_LOCATION",
    }


def test_categories(knowledge: Knowledge) -> None:
    cats = knowledge.categories
    assert [c.no for c in cats.categories] == list(range(1, 40))
    for c in cats.categories:
        assert c.name.endswith("类") and c.aliases, c.no
        assert c.necessary_pi <= PI, c.no
        # device identifiers are never necessary (CRITERIA §2.2 [I])
        assert not c.necessary_pi & {
            "device_id",
            "imsi",
            "iccid",
            "android_id",
            "serial",
            "mac",
            "oaid",
            "installed_apps",
        }
        location_perms = {p for p in c.necessary_permissions if "LOCATION" in p}
        assert bool(location_perms) == ("location" in c.necessary_pi), c.name
    assert cats.find("地图导航").necessary_pi == {"location"}  # type: ignore[union-attr]
    assert cats.find("map").no == 1  # type: ignore[union-attr]
    assert cats.find("online shopping").necessary_pi == {"phone_number", "name", "address", "payment"}  # type: ignore[union-attr]
    assert cats.find("餐饮外卖类").necessary_pi == cats.find("网上购物类").necessary_pi  # type: ignore[union-attr]
    assert cats.find("网络支付类").necessary_pi >= {"phone_number", "id_number", "bank_card", "name"}  # type: ignore[union-attr]
    no_pi = [c for c in cats.categories if not c.necessary_pi]
    assert len(no_pi) == 13


def test_curated_entries_are_complete(knowledge: Knowledge) -> None:
    curated = [e for e in knowledge.sdks.entries if e.source.startswith("apprights")]
    assert len(curated) >= 250
    for e in curated:
        assert e.name_zh and e.name_en and e.country, e.id
        assert e.vendor or e.id in {"facesdk-swwx"}, e.id  # owner unknown: left empty, not "未知"
    cn = [e for e in curated if e.country == "CN"]
    assert len(cn) >= 180
    # the major ones say what they collect
    for sid in ("jpush", "getui-push", "umeng-common", "tencent-gdt", "pangle", "baidu-location", "msa-oaid"):
        assert knowledge.sdks.get(sid).pi, sid  # type: ignore[union-attr]


def test_list_sources_are_attributed(knowledge: Knowledge) -> None:
    sources = Counter(part for e in knowledge.sdks.entries for part in e.source.split("+"))
    assert set(sources) == {"apprights", "appscan", "libradar"}
    assert sources["appscan"] >= 200 and sources["libradar"] >= 200
