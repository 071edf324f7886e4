"""Fact factories: short calls give complete, consistent facts."""

from __future__ import annotations

from apprights.knowledge.permissions import PermissionInfo
from apprights.knowledge.sdks import SdkEntry
from apprights.model.facts import CallSite, StringRef
from apprights.testing.factories import (
    make_code,
    make_facts,
    make_knowledge,
    make_manifest,
    make_sdk_hit,
    receiver,
)


def test_manifest_short_permission_names_and_levels(knowledge) -> None:  # type: ignore[no-untyped-def]
    m = make_manifest(
        "com.a.b",
        permissions=["READ_PHONE_STATE", "android.permission.INTERNET", "com.a.b.OWN"],
        dangerous=["com.a.b.OWN"],
        knowledge=knowledge,
        target_sdk=22,
        components=[receiver("com.a.b.Boot", "android.intent.action.BOOT_COMPLETED")],
    )
    by_name = {p.name: p for p in m.permissions}
    assert by_name["android.permission.READ_PHONE_STATE"].dangerous  # seed catalogue: dangerous
    assert not by_name["android.permission.INTERNET"].dangerous
    assert by_name["com.a.b.OWN"].dangerous
    assert m.effective_target_sdk == 22
    boot = m.components[0]
    assert boot.actions == ["android.intent.action.BOOT_COMPLETED"] and boot.effectively_exported


def test_code_from_tuples() -> None:
    code = make_code(
        call_sites=[
            ("android.telephony.TelephonyManager.getDeviceId", "com.x.A", "m"),
            CallSite("a.B.c", "com.x.B", "n"),
        ],
        strings=[("com.other.app", "package", "com.x.A", "m"), StringRef("content://sms", "content_uri")],
        hosts=["example.com"],
    )
    assert code.referenced_apis == ["a.B.c", "android.telephony.TelephonyManager.getDeviceId"]
    assert code.defined_classes == ["com.x.A", "com.x.B"]
    assert code.strings[0].kind == "package" and code.strings[1].caller_class == ""


def test_sdk_hit_from_catalogue_and_facts_placeholder(knowledge) -> None:  # type: ignore[no-untyped-def]
    entry = knowledge.sdks.entries[0]
    hit = make_sdk_hit(entry.id, knowledge=knowledge, init_at_startup=True)
    assert hit.matched_prefixes == list(entry.prefixes) and hit.category == entry.category
    facts = make_facts(manifest=make_manifest("com.a.b"), sdks=[hit])
    assert facts.apk is not None and facts.package == "com.a.b" and facts.sdk(entry.id) is hit
    assert make_facts(manifest=make_manifest()).apk is None


def test_make_knowledge_adds_only_missing_entries(knowledge) -> None:  # type: ignore[no-untyped-def]
    existing = knowledge.permissions.entries[0]
    kb = make_knowledge(
        knowledge,
        permissions=[
            PermissionInfo("android.permission.X_TEST", "dangerous", pi_type="contacts"),
            PermissionInfo(existing.name, "normal"),
        ],
        sdks=[SdkEntry("x-test", "测试", "X Test", "v", "ads", prefixes=("com.xtest",))],
    )
    assert kb.permissions.is_dangerous("android.permission.X_TEST")
    assert kb.permissions.get(existing.name) == existing  # not overridden
    assert kb.sdks.match_class("com.xtest.a.B") is not None
    assert knowledge.permissions.get("android.permission.X_TEST") is None  # the base is untouched
