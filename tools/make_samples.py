"""Build the bundled demo app ``samples/demo/news-5.2.0.apk`` with the project's own APK/DEX builder.

The app is invented: an "示例新闻" news reader embedding fake classes under real SDK package names (Umeng,
AMap, Pangle) so the demo shows SDK attribution. Run: ``.venv/bin/python tools/make_samples.py``.
"""

from __future__ import annotations

from pathlib import Path

from apprights.testing.apkbuilder import build_apk
from apprights.testing.dexwriter import dex_with_calls

OUT = Path(__file__).resolve().parents[1] / "samples" / "demo" / "news-5.2.0.apk"

MANIFEST = """<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.news"
    android:versionCode="520" android:versionName="5.2.0">
  <uses-sdk android:minSdkVersion="21" android:targetSdkVersion="30"/>
  <uses-permission android:name="android.permission.INTERNET"/>
  <uses-permission android:name="android.permission.READ_PHONE_STATE"/>
  <uses-permission android:name="android.permission.ACCESS_FINE_LOCATION"/>
  <uses-permission android:name="android.permission.READ_CONTACTS"/>
  <uses-permission android:name="android.permission.RECORD_AUDIO"/>
  <uses-permission android:name="android.permission.RECEIVE_BOOT_COMPLETED"/>
  <uses-permission android:name="android.permission.REQUEST_INSTALL_PACKAGES"/>
  <uses-permission android:name="android.permission.QUERY_ALL_PACKAGES"/>
  <application android:name=".App" android:label="示例新闻" android:allowBackup="true">
    <meta-data android:name="UMENG_APPKEY" android:value="5f0000000000000000000000"/>
    <activity android:name=".SplashActivity" android:exported="true">
      <intent-filter>
        <action android:name="android.intent.action.MAIN"/>
        <category android:name="android.intent.category.LAUNCHER"/>
      </intent-filter>
    </activity>
    <activity android:name=".MainActivity" android:exported="false"/>
    <receiver android:name="com.umeng.message.BootBroadcastReceiver" android:exported="true">
      <intent-filter>
        <action android:name="android.intent.action.BOOT_COMPLETED"/>
        <action android:name="android.net.conn.CONNECTIVITY_CHANGE"/>
      </intent-filter>
    </receiver>
    <service android:name="com.amap.api.location.APSService" android:exported="false"/>
    <provider android:name="com.bytedance.sdk.openadsdk.TTFileProvider"
        android:authorities="com.example.news.TTFileProvider" android:exported="false"/>
  </application>
</manifest>
"""

TM = "Landroid/telephony/TelephonyManager;"
CALLS = [
    ("com.example.news.App", "onCreate", "Lcom/umeng/commonsdk/UMConfigure;->init()V"),
    (
        "com.umeng.commonsdk.UMConfigure",
        "init",
        "Lcom/umeng/commonsdk/statistics/common/DeviceConfig;->getImeiNew()V",
    ),
    (
        "com.umeng.commonsdk.statistics.common.DeviceConfig",
        "getImeiNew",
        f"{TM}->getDeviceId()Ljava/lang/String;",
    ),
    (
        "com.umeng.commonsdk.statistics.common.DeviceConfig",
        "getImsi",
        f"{TM}->getSubscriberId()Ljava/lang/String;",
    ),
    (
        "com.umeng.commonsdk.statistics.common.DeviceConfig",
        "getAndroidId",
        "Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;",
    ),
    (
        "com.umeng.commonsdk.statistics.common.DeviceConfig",
        "getMac",
        "Landroid/net/wifi/WifiInfo;->getMacAddress()Ljava/lang/String;",
    ),
    (
        "com.umeng.commonsdk.statistics.common.DeviceConfig",
        "getAppList",
        "Landroid/content/pm/PackageManager;->getInstalledPackages(I)Ljava/util/List;",
    ),
    (
        "com.umeng.commonsdk.statistics.UMServerURL",
        "send",
        "Ljava/net/URL;->openConnection()Ljava/net/URLConnection;",
    ),
    (
        "com.amap.api.location.AMapLocationClient",
        "a",
        "Landroid/location/LocationManager;->getLastKnownLocation(Ljava/lang/String;)Landroid/location/Location;",
    ),
    (
        "com.amap.api.location.AMapLocationClient",
        "startLocation",
        "Landroid/location/LocationManager;->requestLocationUpdates(Ljava/lang/String;JFLandroid/location/LocationListener;)V",
    ),
    (
        "com.bytedance.sdk.openadsdk.downloadnew.DownloadHelper",
        "start",
        "Landroid/app/DownloadManager;->enqueue(Landroid/app/DownloadManager$Request;)J",
    ),
    ("com.bytedance.sdk.openadsdk.core.DeviceUtils", "imei", f"{TM}->getImei()Ljava/lang/String;"),
    (
        "com.example.news.MainActivity",
        "onResume",
        "Landroid/content/ClipboardManager;->getPrimaryClip()Landroid/content/ClipData;",
    ),
    (
        "com.example.news.push.KeepAlive",
        "run",
        "Landroid/content/Context;->startService(Landroid/content/Intent;)Landroid/content/ComponentName;",
    ),
    (
        "com.example.news.push.KeepAlive",
        "schedule",
        "Landroid/app/AlarmManager;->setRepeating(IJJLandroid/app/PendingIntent;)V",
    ),
]
STRINGS = [
    ("com.umeng.commonsdk.statistics.UMServerURL", "send", "https://ulogs.umeng.com/unify_logs"),
    (
        "com.bytedance.sdk.openadsdk.core.DeviceUtils",
        "imei",
        "https://api-access.pangolin-sdk-toutiao.com/api/ad/union/sdk/get_ads/",
    ),
    ("com.example.news.push.KeepAlive", "run", "com.example.partner"),
    (
        "com.bytedance.sdk.openadsdk.downloadnew.DownloadHelper",
        "start",
        "application/vnd.android.package-archive",
    ),
]


def main() -> None:
    dex = dex_with_calls(
        CALLS,
        STRINGS,
        superclasses={
            "com.example.news.App": "android.app.Application",
            "com.example.news.MainActivity": "android.app.Activity",
            "com.example.news.SplashActivity": "android.app.Activity",
            "com.umeng.message.BootBroadcastReceiver": "android.content.BroadcastReceiver",
        },
    )
    build_apk(OUT, MANIFEST, [dex])
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
