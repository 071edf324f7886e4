"""The AXML writer: aapt and androguard must read back what it writes, with the right types."""

from __future__ import annotations

import shutil
import struct
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apprights.collect.axmlwriter import ANDROID_ATTR_IDS, ANDROID_NS, write_axml
from apprights.testing.apkbuilder import build_apk

MANIFEST = f"""<manifest xmlns:android="{ANDROID_NS}" package="com.example.demo"
    android:versionCode="7" android:versionName="2.1.0">
  <uses-sdk android:minSdkVersion="19" android:targetSdkVersion="22"/>
  <uses-permission android:name="android.permission.READ_CONTACTS"/>
  <uses-permission android:name="android.permission.RECEIVE_BOOT_COMPLETED"/>
  <application android:label="演示应用" android:allowBackup="false" android:name="com.example.demo.App"
      android:icon="@0x7f020000">
    <activity android:name=".MainActivity" android:exported="true">
      <intent-filter>
        <action android:name="android.intent.action.MAIN"/>
        <category android:name="android.intent.category.LAUNCHER"/>
      </intent-filter>
    </activity>
    <receiver android:name="com.umeng.commonsdk.BootReceiver" android:enabled="true">
      <intent-filter android:priority="1000">
        <action android:name="android.intent.action.BOOT_COMPLETED"/>
      </intent-filter>
    </receiver>
    <meta-data android:name="UMENG_CHANNEL" android:value="store"/>
  </application>
</manifest>"""


def aapt(*args: str) -> str:
    if shutil.which("aapt") is None:
        pytest.skip("aapt not installed")
    proc = subprocess.run(["aapt", *args], capture_output=True, text=True, errors="replace", timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("utf8", [False, True])
def test_aapt_reads_typed_attributes(tmp_path: Path, utf8: bool) -> None:
    apk = build_apk(tmp_path / "a.apk", MANIFEST, utf8_manifest=utf8)
    tree = aapt("dump", "xmltree", str(apk), "AndroidManifest.xml")
    assert "A: android:versionCode(0x0101021b)=(type 0x10)0x7" in tree
    assert 'A: android:versionName(0x0101021c)="2.1.0"' in tree
    assert "A: android:targetSdkVersion(0x01010270)=(type 0x10)0x16" in tree
    assert "A: android:allowBackup(0x01010280)=(type 0x12)0x0" in tree
    assert "A: android:exported(0x01010010)=(type 0x12)0xffffffff" in tree
    assert "A: android:icon(0x01010002)=@0x7f020000" in tree
    assert "A: android:priority(0x0101001c)=(type 0x10)0x3e8" in tree
    assert 'A: android:label(0x01010001)="演示应用"' in tree
    assert 'A: package="com.example.demo"' in tree
    # badging resolves resources: without a resources.arsc the @0x7f… icon cannot resolve, so drop it
    plain = build_apk(
        tmp_path / "b.apk", MANIFEST.replace('android:icon="@0x7f020000"', ""), utf8_manifest=utf8
    )
    badging = aapt("dump", "badging", str(plain))
    assert "package: name='com.example.demo' versionCode='7' versionName='2.1.0'" in badging
    assert "targetSdkVersion:'22'" in badging
    assert "uses-permission: name='android.permission.READ_CONTACTS'" in badging
    assert "launchable-activity: name='com.example.demo.MainActivity'" in badging


def test_androguard_axmlprinter_round_trip() -> None:
    pytest.importorskip("androguard")
    from androguard.core.axml import AXMLPrinter

    xml = AXMLPrinter(write_axml(MANIFEST)).get_xml()
    root = ET.fromstring(xml)
    a = f"{{{ANDROID_NS}}}"
    assert root.get("package") == "com.example.demo"
    assert root.get(a + "versionCode") == "7"
    app = root.find("application")
    assert app is not None and app.get(a + "label") == "演示应用" and app.get(a + "allowBackup") == "false"
    actions = [e.get(a + "name") for e in root.iter("action")]
    assert actions == ["android.intent.action.MAIN", "android.intent.action.BOOT_COMPLETED"]


def test_resource_map_covers_the_first_strings_in_id_order() -> None:
    data = write_axml(MANIFEST)
    assert struct.unpack_from("<HHI", data, 0) == (0x0003, 8, len(data))
    pool_type, _, pool_size = struct.unpack_from("<HHI", data, 8)
    assert pool_type == 0x0001
    map_type, _, map_size = struct.unpack_from("<HHI", data, 8 + pool_size)
    assert map_type == 0x0180
    ids = struct.unpack_from(f"<{(map_size - 8) // 4}I", data, 8 + pool_size + 8)
    assert list(ids) == sorted(ids)
    assert set(ids) <= set(ANDROID_ATTR_IDS.values())
    assert ANDROID_ATTR_IDS["name"] in ids and ANDROID_ATTR_IDS["targetSdkVersion"] in ids


def test_element_input_and_non_android_namespace() -> None:
    root = ET.Element("manifest", {"package": "x.y.z", "{http://example.com/tools}ignore": "All"})
    ET.SubElement(root, "application")
    pytest.importorskip("androguard")
    from androguard.core.axml import AXMLPrinter

    xml = AXMLPrinter(write_axml(root)).get_xml().decode()
    assert 'package="x.y.z"' in xml and "http://example.com/tools" in xml


@settings(max_examples=25, deadline=None)
@given(
    label=st.text(min_size=1, max_size=20).filter(lambda s: s.strip() == s and "\x00" not in s),
    version=st.integers(min_value=0, max_value=2**31 - 1),
    utf8=st.booleans(),
)
def test_random_values_round_trip_through_androguard(label: str, version: int, utf8: bool) -> None:
    pytest.importorskip("androguard")
    from androguard.core.axml import AXMLPrinter

    root = ET.Element("manifest", {"package": "a.b.c", f"{{{ANDROID_NS}}}versionCode": str(version)})
    ET.SubElement(root, "application", {f"{{{ANDROID_NS}}}label": label})
    try:
        ET.fromstring(ET.tostring(root))
    except ET.ParseError:
        return  # not representable as XML 1.0 text either
    back = ET.fromstring(AXMLPrinter(write_axml(root, utf8=utf8)).get_xml())
    assert back.get(f"{{{ANDROID_NS}}}versionCode") == str(version)
    app = back.find("application")
    assert app is not None and app.get(f"{{{ANDROID_NS}}}label") == label


def test_plain_attribute_named_like_a_framework_one_stays_plain(tmp_path: Path) -> None:
    xml = (
        f'<manifest xmlns:android="{ANDROID_NS}" package="a.b.c"><application>'
        '<meta-data name="plain" android:name="framework" android:value="v"/></application></manifest>'
    )
    tree = aapt("dump", "xmltree", str(build_apk(tmp_path / "p.apk", xml)), "AndroidManifest.xml")
    assert 'A: name="plain" (Raw: "plain")' in tree
    assert 'A: android:name(0x01010003)="framework"' in tree
