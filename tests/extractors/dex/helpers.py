"""Shared helpers for the dex extractor tests: real APK corpus, dex blobs, and androguard as the oracle."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from tests.conftest import SHARED_DATA

# androguard's own rule for "official" dex files (APK.get_dex_names)
DEX_NAME = re.compile(r"^classes(\d*).dex$")

# A fixed list of commonly hooked privacy-sensitive framework methods (camille / MobSF style hook points), so
# the oracle test means something whatever state the packaged catalogue is in.
LOCAL_TARGETS: list[tuple[str, str]] = [
    (f"L{c.replace('.', '/')};", m)
    for c, m in [
        ("android.telephony.TelephonyManager", "getDeviceId"),
        ("android.telephony.TelephonyManager", "getImei"),
        ("android.telephony.TelephonyManager", "getMeid"),
        ("android.telephony.TelephonyManager", "getSubscriberId"),
        ("android.telephony.TelephonyManager", "getSimSerialNumber"),
        ("android.telephony.TelephonyManager", "getLine1Number"),
        ("android.telephony.TelephonyManager", "getNetworkOperator"),
        ("android.telephony.TelephonyManager", "getSimOperator"),
        ("android.telephony.TelephonyManager", "getCellLocation"),
        ("android.telephony.TelephonyManager", "getAllCellInfo"),
        ("android.telephony.TelephonyManager", "getNetworkOperatorName"),
        ("android.telephony.SmsManager", "sendTextMessage"),
        ("android.telephony.SmsManager", "getDefault"),
        ("android.telephony.gsm.GsmCellLocation", "getCid"),
        ("android.telephony.gsm.GsmCellLocation", "getLac"),
        ("android.location.LocationManager", "getLastKnownLocation"),
        ("android.location.LocationManager", "requestLocationUpdates"),
        ("android.location.LocationManager", "requestSingleUpdate"),
        ("android.location.Location", "getLatitude"),
        ("android.location.Location", "getLongitude"),
        ("android.net.wifi.WifiInfo", "getMacAddress"),
        ("android.net.wifi.WifiInfo", "getSSID"),
        ("android.net.wifi.WifiInfo", "getBSSID"),
        ("android.net.wifi.WifiManager", "getConnectionInfo"),
        ("android.net.wifi.WifiManager", "getScanResults"),
        ("android.bluetooth.BluetoothAdapter", "getAddress"),
        ("java.net.NetworkInterface", "getHardwareAddress"),
        ("android.provider.Settings$Secure", "getString"),
        ("android.provider.Settings$System", "getString"),
        ("android.os.Build", "getSerial"),
        ("android.content.pm.PackageManager", "getInstalledPackages"),
        ("android.content.pm.PackageManager", "getInstalledApplications"),
        ("android.content.pm.PackageManager", "queryIntentActivities"),
        ("android.app.ActivityManager", "getRunningAppProcesses"),
        ("android.app.ActivityManager", "getRunningTasks"),
        ("android.content.ContentResolver", "query"),
        ("android.content.ClipboardManager", "getPrimaryClip"),
        ("android.accounts.AccountManager", "getAccounts"),
        ("android.hardware.Camera", "open"),
        ("android.media.AudioRecord", "startRecording"),
        ("android.media.MediaRecorder", "start"),
        ("android.hardware.SensorManager", "getSensorList"),
        ("android.content.Context", "getSystemService"),
        ("android.app.Activity", "startActivity"),
        ("java.lang.reflect.Method", "invoke"),
        ("java.lang.Class", "forName"),
        ("java.lang.Object", "clone"),
    ]
]


def corpus() -> list[Path]:
    """Every APK of the shared corpus (empty when the shared data is absent)."""
    apks = sorted((SHARED_DATA / "apks").glob("*.apk"))
    apks += sorted((SHARED_DATA / "droidbench-dev").glob("*/*.apk"))
    return apks


def dex_blobs(path: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(path) as z:
        return [(n, z.read(n)) for n in z.namelist() if DEX_NAME.match(n)]


def dotted(descriptor: str) -> str:
    return descriptor[1:-1].replace("/", ".") if descriptor.startswith("L") else descriptor


def androguard_sites(path: Path, pairs: list[tuple[str, str]]) -> set[tuple[str, str, str]] | None:
    """(caller class, caller method, api) for every target by androguard's xrefs; None if it cannot open it."""
    from androguard.misc import AnalyzeAPK
    from loguru import logger

    logger.remove()
    try:
        _a, _d, dx = AnalyzeAPK(str(path))
    except Exception:
        return None
    out: set[tuple[str, str, str]] = set()
    for desc, name in pairs:
        api = f"{dotted(desc)}.{name}"
        for m in dx.find_methods(classname=re.escape(desc), methodname=f"^{re.escape(name)}$"):
            for cls, meth, _off in m.get_xref_from():
                out.add((dotted(cls.name), meth.name, api))
    return out
