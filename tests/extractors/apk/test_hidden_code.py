"""APK facts Android decides and the scan must say: implicit permissions, the verified signer, unsigned APKs,
and code Android loads that the scan cannot see (packers, instant run, encrypted dex; plain dex in assets is
scanned)."""

from __future__ import annotations

from pathlib import Path

from apprights.extractors.apk import open_apk
from apprights.extractors.apk.hidden_code import PACKERS, hidden_code
from apprights.extractors.dex import DexTargets, extract_code
from apprights.model.facts import ApkFacts, SignerCert
from apprights.testing.apkbuilder import build_apk
from apprights.testing.dexwriter import Code, DexClass, write_dex
from tests.conftest import shared_path

P = "android.permission."


def manifest(target: int, perms: tuple[str, ...] = (), app_class: str = "") -> str:
    uses = "".join(f'<uses-permission android:name="{P}{p}"/>' for p in perms)
    app = f' android:name="{app_class}"' if app_class else ""
    return (
        '<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.example.hidden">'
        f'<uses-sdk android:minSdkVersion="1" android:targetSdkVersion="{target}"/>{uses}'
        f'<application android:label="H"{app}><activity android:name=".Main" android:exported="true"/>'
        "</application></manifest>"
    )


def main_dex() -> bytes:
    main = DexClass("com.example.hidden.Main", superclass="android.app.Activity")
    main.add_constructor()
    return write_dex([main])


def test_implicit_permissions_of_an_old_target(tmp_path: Path) -> None:
    apk = build_apk(tmp_path / "old.apk", manifest(3), [main_dex()])
    with open_apk(apk) as a:
        m = a.manifest()
    implicit = {p.name: p.implied_by for p in m.implicit_permissions}
    assert implicit == {
        P + "WRITE_EXTERNAL_STORAGE": "targetSdkVersion<4",
        P + "READ_PHONE_STATE": "targetSdkVersion<4",
        P + "READ_EXTERNAL_STORAGE": P + "WRITE_EXTERNAL_STORAGE",
        P + "ACCESS_MEDIA_LOCATION": P + "READ_EXTERNAL_STORAGE",
    }
    assert m.permission_names() == []  # what the developer asked for stays apart


def test_read_storage_comes_with_write_on_any_target(tmp_path: Path) -> None:
    apk = build_apk(
        tmp_path / "new.apk", manifest(33, ("WRITE_EXTERNAL_STORAGE", "READ_CONTACTS")), [main_dex()]
    )
    with open_apk(apk) as a:
        m = a.manifest()
    assert [(p.name, p.implied_by) for p in m.implicit_permissions] == [
        (P + "READ_EXTERNAL_STORAGE", P + "WRITE_EXTERNAL_STORAGE")
    ]


def test_verified_signer_is_the_newest_scheme() -> None:
    old, rotated = "a" * 64, "b" * 64
    facts = ApkFacts(
        "0" * 64, 1, 1, signers=[SignerCert("v1", old), SignerCert("v2", old), SignerCert("v3", rotated)]
    )
    assert facts.verified_signer is not None and facts.verified_signer.sha256 == rotated
    assert facts.signer_sha256 == [rotated, old]
    assert ApkFacts("0" * 64, 1, 1).verified_signer is None


def test_unsigned_apk_scans_with_a_clear_warning(tmp_path: Path) -> None:
    apk = build_apk(tmp_path / "unsigned.apk", manifest(30), [main_dex()])
    with open_apk(apk) as a:
        facts = a.facts()
    assert facts.signers == []
    assert any("Android would refuse to install this" in w for w in facts.warnings)


def test_signed_real_apk_has_no_signature_warning() -> None:
    with open_apk(shared_path("apks-cn", "amap-location-service-demo.apk")) as a:
        facts = a.facts()
    assert {s.scheme for s in facts.signers} == {"v1", "v2"}
    assert facts.verified_signer is not None and facts.verified_signer.scheme == "v2"
    assert not any("refuse to install" in w for w in facts.warnings)
    assert facts.hidden_code == []


def test_packer_instant_run_and_encrypted_assets_are_warned(tmp_path: Path) -> None:
    apk = build_apk(
        tmp_path / "packed.apk",
        manifest(30, app_class="com.stub.StubApp"),
        [main_dex()],
        extra={
            "instant-run.zip": b"PK\x05\x06" + b"\0" * 18,
            "assets/payload.jar": b"\x13\x37encrypted-bytes",
            "lib/arm64-v8a/libjiagu.so": b"\x7fELF",
        },
    )
    with open_apk(apk) as a:
        facts = a.facts()
    assert facts.hidden_code == [
        "packer:360加固 (Qihoo Jiagu)",
        "instant_run",
        "encrypted:assets/payload.jar",
    ]
    assert any("packed by 360加固" in w for w in facts.warnings)
    assert any("assets/payload.jar is neither dex nor zip" in w for w in facts.warnings)


def test_plain_dex_in_assets_is_scanned_not_warned(tmp_path: Path) -> None:
    plugin = DexClass("com.example.plugin.Loader", superclass="java.lang.Object")
    plugin.add_constructor()
    code = (
        Code()
        .invoke_virtual("Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;", [1])
        .move_result_object(0)
        .return_void()
    )
    plugin.add_method("run", "(Landroid/telephony/TelephonyManager;)V", code=code)
    apk = build_apk(
        tmp_path / "plugin.apk", manifest(30), [main_dex()], extra={"assets/plugin.dex": write_dex([plugin])}
    )
    with open_apk(apk) as a:
        facts = a.facts()
        code_facts = extract_code(
            a.iter_dex(),
            DexTargets({("Landroid/telephony/TelephonyManager;", "getDeviceId")}),
            own_package="x",
        )
    assert facts.hidden_code == []
    assert any(
        s.caller_class == "com.example.plugin.Loader" and s.dex == "assets/plugin.dex"
        for s in code_facts.call_sites
    )


def test_hidden_code_signatures_alone() -> None:
    heads = {"assets/a.dex": b"dex\n035\0", "assets/b.jar": b"PK\x03\x04", "assets/c.apk": b"\0\0\0\0"}
    found = hidden_code(
        ["assets/a.dex", "assets/b.jar", "assets/c.apk", "lib/armeabi/libshella-2.10.so"],
        "com.example.App",
        scanned_archives=["assets/b.jar"],
        read_head=heads.get,
    )
    assert [k for k, _ in found] == ["packer:腾讯乐固 (Tencent Legu)", "encrypted:assets/c.apk"]
    assert all(stubs and pats for stubs, pats in PACKERS.values())
    assert hidden_code(["classes.dex", "assets/font.ttf"], None, [], heads.get) == []


def test_entry_added_after_v1_signing_is_warned(tmp_path: Path) -> None:
    import shutil
    import zipfile

    signed = shared_path("apks-cn", "jiguang-jbox.apk")  # v1 only
    tampered = tmp_path / "tampered.apk"
    shutil.copy(signed, tampered)
    with zipfile.ZipFile(tampered, "a") as zf:
        zf.writestr("assets/injected.txt", b"added after signing")
    with open_apk(signed) as a:
        assert not any("v1 signature" in w for w in a.facts().warnings)
    with open_apk(tampered) as a:
        warnings = a.facts().warnings
    assert any("1 entries not covered by the v1 signature (assets/injected.txt)" in w for w in warnings)
    assert any("Android would refuse to install this" in w for w in warnings)


def test_manifest_mf_names_with_continuation_lines() -> None:
    from apprights.extractors.apk.signing import manifest_mf_names, v1_unsigned_entries

    mf = b"Manifest-Version: 1.0\r\n\r\nName: res/drawable/a_very_long_name_that_wraps_at_seventy_two_by\r\n tes.png\r\nSHA-256-Digest: x\r\n\r\nName: classes.dex\r\nSHA-256-Digest: y\r\n"
    assert manifest_mf_names(mf) == {
        "res/drawable/a_very_long_name_that_wraps_at_seventy_two_bytes.png",
        "classes.dex",
    }
    assert v1_unsigned_entries(["classes.dex", "META-INF/CERT.RSA", "res/", "x.so"], mf) == ["x.so"]
