"""Issue 8: a start target built at run time does not evade T6.starts_other_apps.

A package built in the method from constant pieces (``StringBuilder`` appends, ``String.concat``, a reversed
string) is decoded and judged like a constant; one the decode cannot follow (a static field, an unknown value)
is reported as an unresolved dynamic target, low and ``present``. The app's own package
(``getPackageName()``) and ``setPackage(null)`` are no target. Dex files built with ``apprights.testing``.
"""

from __future__ import annotations

from apprights.extractors.dex import DexTargets, extract_code
from apprights.model.facts import CodeFacts
from apprights.model.finding import Confidence, Severity
from apprights.rules.t6_autostart.starts_other_apps import StartsOtherApps
from apprights.testing.dexwriter import ACC_PUBLIC, ACC_STATIC, Code, DexClass, write_dex
from apprights.testing.factories import make_facts, make_manifest, receiver
from tests.rules.static_support import run, static_kb

STATIC = ACC_PUBLIC | ACC_STATIC
INTENT = "Landroid/content/Intent;"
SB = "Ljava/lang/StringBuilder;"
SB_INIT = "Ljava/lang/StringBuilder;-><init>(Ljava/lang/String;)V"
SB_APPEND = "Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;"
SB_REVERSE = "Ljava/lang/StringBuilder;->reverse()Ljava/lang/StringBuilder;"
SB_TO_STRING = "Ljava/lang/StringBuilder;->toString()Ljava/lang/String;"
CONCAT = "Ljava/lang/String;->concat(Ljava/lang/String;)Ljava/lang/String;"
INIT_EMPTY = "Landroid/content/Intent;-><init>()V"
SET_PACKAGE = "Landroid/content/Intent;->setPackage(Ljava/lang/String;)Landroid/content/Intent;"
START = "Landroid/content/Context;->startActivity(Landroid/content/Intent;)V"
LAUNCH = "Landroid/content/pm/PackageManager;->getLaunchIntentForPackage(Ljava/lang/String;)Landroid/content/Intent;"
PKG_NAME = "Landroid/content/Context;->getPackageName()Ljava/lang/String;"
TARGET_FIELD = "Lcom/example/app/Config;->target:Ljava/lang/String;"
WAKE = "com.example.app.Wake"  # a manifest receiver: a background context
# registers: v0..v3 locals, v4 never written, v5 the Context parameter


def _onreceive(code: Code) -> DexClass:
    """Wake.onReceive(context): the code, then new Intent().setPackage(v0); context.startActivity(intent)."""
    c = DexClass(WAKE)
    body = (
        code.new_instance(1, INTENT)
        .invoke_direct(INIT_EMPTY, [1])
        .invoke_virtual(SET_PACKAGE, [1, 0])
        .invoke_virtual(START, [5, 1])
        .return_void()
    )
    c.add_method("onReceive", "(Landroid/content/Context;)V", code=body, access=STATIC)
    return c


def _scan(cls: DexClass) -> CodeFacts:
    targets = DexTargets.from_catalogue(static_kb().sensitive_apis)
    return extract_code([("classes.dex", write_dex([cls]))], targets)


def _findings(code: CodeFacts):  # type: ignore[no-untyped-def]
    manifest = make_manifest(
        "com.example.app", components=[receiver(WAKE, "android.intent.action.USER_PRESENT")]
    )
    return run(StartsOtherApps, make_facts(manifest=manifest, code=code))


def _built(code: Code) -> Code:
    """v0 = new StringBuilder("com.example.").append("sister").toString()"""
    return (
        code.new_instance(2, SB)
        .const_string(0, "com.example.")
        .invoke_direct(SB_INIT, [2, 0])
        .const_string(0, "sister")
        .invoke_virtual(SB_APPEND, [2, 0])
        .move_result_object(2)
        .invoke_virtual(SB_TO_STRING, [2])
        .move_result_object(0)
    )


def test_a_package_built_with_string_builder_is_decoded() -> None:
    code = _scan(_onreceive(_built(Code())))
    site = next(s for s in code.call_sites if s.api == "android.content.Intent.setPackage")
    assert site.args == ["com.example.sister"]
    (f,) = _findings(code)
    assert f.key == "starts_other_apps" and f.severity is Severity.MEDIUM
    assert "com.example.sister" in f.detail_en


def test_a_reversed_or_concatenated_package_is_decoded() -> None:
    reversed_ = (
        Code()
        .new_instance(2, SB)
        .const_string(0, "retsis.elpmaxe.moc")
        .invoke_direct(SB_INIT, [2, 0])
        .invoke_virtual(SB_REVERSE, [2])
        .move_result_object(2)
        .invoke_virtual(SB_TO_STRING, [2])
        .move_result_object(0)
    )
    concat = Code().const_string(0, "com.example.").const_string(3, "sister").invoke_virtual(CONCAT, [0, 3])
    for code in (reversed_, concat.move_result_object(0)):
        (f,) = _findings(_scan(_onreceive(code)))
        assert "com.example.sister" in f.detail_en and f.severity is Severity.MEDIUM


def test_a_target_from_a_static_field_is_an_unresolved_dynamic_target() -> None:
    (f,) = _findings(_scan(_onreceive(Code().sget_object(0, TARGET_FIELD))))
    assert f.key == "starts_unresolved_target"
    assert (
        f.severity is Severity.LOW and f.confidence is Confidence.PRESENT
    )  # not medium: may be the app itself
    assert f.evidence[0].data["target"] == "?" and f.evidence[0].data["caller_method"] == "onReceive"


def test_a_launch_intent_for_a_built_package_is_decoded() -> None:
    c = DexClass(WAKE)
    body = _built(Code()).invoke_virtual(LAUNCH, [4, 0]).return_void()
    c.add_method("onReceive", "(Landroid/content/Context;)V", code=body, access=STATIC)
    (f,) = _findings(_scan(c))
    assert "com.example.sister" in f.detail_en and f.severity is Severity.MEDIUM


def test_own_package_and_null_are_no_target() -> None:
    own = Code().invoke_virtual(PKG_NAME, [5]).move_result_object(0)
    assert _findings(_scan(_onreceive(own))) == []
    assert _findings(_scan(_onreceive(Code().const4(0, 0)))) == []
