"""Issue 8: the ``Intent`` argument of ``queryIntentActivities``, decoded when the method builds it from constants.
A launcher query is the installed-app list; an intent narrowed to one package, component, URI or a vendor's own
action is a presence check ("is HMS Core installed?"), not the app list. Dex files built with ``apprights.testing``.
"""

from __future__ import annotations

import functools

from apprights.extractors.dex import DexTargets, extract_code
from apprights.extractors.trace.attribution import ApiClassifier
from apprights.knowledge import Knowledge
from apprights.model.facts import CallSite, CodeFacts
from apprights.rules._static_common import site_pi_types
from apprights.rules.base import RuleContext
from apprights.testing.dexwriter import ACC_PUBLIC, ACC_STATIC, Code, DexClass, write_dex

STATIC = ACC_PUBLIC | ACC_STATIC
CTX = "Landroid/content/Context;"
INTENT = "Landroid/content/Intent;"
QUERY = (
    "Landroid/content/pm/PackageManager;->queryIntentActivities(Landroid/content/Intent;I)Ljava/util/List;"
)
API = "android.content.pm.PackageManager.queryIntentActivities"
INIT_ACTION = "Landroid/content/Intent;-><init>(Ljava/lang/String;)V"
INIT_EMPTY = "Landroid/content/Intent;-><init>()V"
INIT_CLASS = "Landroid/content/Intent;-><init>(Landroid/content/Context;Ljava/lang/Class;)V"
ADD_CATEGORY = "Landroid/content/Intent;->addCategory(Ljava/lang/String;)Landroid/content/Intent;"
SET_PACKAGE = "Landroid/content/Intent;->setPackage(Ljava/lang/String;)Landroid/content/Intent;"
SET_ACTION = "Landroid/content/Intent;->setAction(Ljava/lang/String;)Landroid/content/Intent;"
SET_CLASS = (
    "Landroid/content/Intent;->setClassName(Ljava/lang/String;Ljava/lang/String;)Landroid/content/Intent;"
)
HELPER = "Lcom/example/sdk/Probe;->has(Landroid/content/pm/PackageManager;Landroid/content/Intent;)Z"


@functools.cache
def knowledge() -> Knowledge:
    return Knowledge.load()


def _scan(*classes: DexClass) -> CodeFacts:
    targets = DexTargets.from_catalogue(knowledge().sensitive_apis)
    return extract_code([("classes.dex", write_dex(list(classes)))], targets)


def _method(cls: DexClass, name: str, code: Code) -> None:
    # v0..v4 locals (v4 is never written: an unknown object), the PackageManager parameter after them
    cls.add_method(name, "(Landroid/content/pm/PackageManager;)V", code=code.return_void(), access=STATIC)


def _query(code: Code, intent: int = 1) -> Code:
    return code.const4(2, 0).invoke_virtual(QUERY, [4, intent, 2])


def _sites(code: CodeFacts) -> dict[str, CallSite]:
    return {s.caller_method: s for s in code.call_sites if s.api == API}


def _pi(site: CallSite) -> set[str]:
    return site_pi_types(RuleContext(knowledge()), site, {})


def _probe_class() -> DexClass:
    c = DexClass("com.example.sdk.Probe")
    _method(  # the launcher query: every app with an icon
        c,
        "launcher",
        _query(
            Code()
            .new_instance(1, INTENT)
            .const_string(0, "android.intent.action.MAIN")
            .invoke_direct(INIT_ACTION, [1, 0])
            .const_string(0, "android.intent.category.LAUNCHER")
            .invoke_virtual(ADD_CATEGORY, [1, 0])
        ),
    )
    _method(  # HMS presence check: HMS Core's own action, narrowed to its package
        c,
        "hmsPresent",
        _query(
            Code()
            .new_instance(1, INTENT)
            .const_string(0, "com.huawei.hms.core.aidlservice")
            .invoke_direct(INIT_ACTION, [1, 0])
            .const_string(0, "com.huawei.hwid")
            .invoke_virtual(SET_PACKAGE, [1, 0])
            .move_result_object(3)
        ),
    )
    _method(  # a vendor's own action alone, set with setAction, the setter's result queried
        c,
        "vendorAction",
        Code()
        .new_instance(1, INTENT)
        .invoke_direct(INIT_EMPTY, [1])
        .const_string(0, "com.vivo.pushservice.action.METHOD")
        .invoke_virtual(SET_ACTION, [1, 0])
        .move_result_object(3)
        .const4(2, 0)
        .invoke_virtual(QUERY, [4, 3, 2]),
    )
    _method(  # a platform action without a package: still a list (every app handling MAIN)
        c,
        "platformAction",
        _query(
            Code()
            .new_instance(1, INTENT)
            .invoke_direct(INIT_EMPTY, [1])
            .const_string(0, "android.intent.action.MAIN")
            .invoke_virtual(SET_ACTION, [1, 0])
        ),
    )
    _method(  # setClassName: one component
        c,
        "component",
        _query(
            Code()
            .new_instance(1, INTENT)
            .invoke_direct(INIT_EMPTY, [1])
            .const_string(0, "com.tencent.mtt")
            .const_string(3, "com.tencent.mtt.MainActivity")
            .invoke_virtual(SET_CLASS, [1, 0, 3])
        ),
    )
    _method(  # new Intent(context, Foo.class): explicit
        c,
        "explicit",
        _query(
            Code()
            .new_instance(1, INTENT)
            .const_class(3, "com.example.sdk.Foo")
            .invoke_direct(INIT_CLASS, [1, 0, 3])
        ),
    )
    _method(c, "unknown", _query(Code(), intent=4))  # an intent this method did not build: stays the app list
    _method(  # a stale const-string in the register (linear decode): not an intent, stays the app list
        c,
        "stale",
        _query(Code().const_string(1, "intent == null")),
    )
    return c


def test_intent_arguments_are_described_in_intent_tostring_form() -> None:
    s = _sites(_scan(_probe_class()))
    assert s["launcher"].args == [
        "Intent { act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] }"
    ]
    assert s["hmsPresent"].args == ["Intent { act=com.huawei.hms.core.aidlservice pkg=com.huawei.hwid }"]
    assert s["vendorAction"].args == ["Intent { act=com.vivo.pushservice.action.METHOD }"]
    assert s["platformAction"].args == ["Intent { act=android.intent.action.MAIN }"]
    assert s["component"].args == ["Intent { cmp=com.tencent.mtt/com.tencent.mtt.MainActivity }"]
    assert s["explicit"].args == ["Intent { cmp=com.example.sdk.Foo }"]  # the class literal, named
    assert s["unknown"].args == ["Intent { ? }"]
    assert s["stale"].args == ["Intent { ? }"]


def test_launcher_query_is_the_app_list_and_a_presence_check_is_not() -> None:
    s = _sites(_scan(_probe_class()))
    for name in ("launcher", "platformAction", "unknown", "stale"):
        assert _pi(s[name]) == {"installed_apps"}, name
    for name in ("hmsPresent", "vendorAction", "component", "explicit"):
        assert _pi(s[name]) == set(), name


def test_site_not_analysed_stays_the_app_list() -> None:
    site = CallSite(api=API, caller_class="com.example.A", caller_method="a", dex="classes.dex")
    assert _pi(site) == {"installed_apps"}
    mixed = CallSite(
        api=API, caller_class="com.example.A", caller_method="a", dex="classes.dex",
        args=["Intent { act=x pkg=com.huawei.hwid }", "Intent { ? }"],
    )  # fmt: skip
    assert _pi(mixed) == {"installed_apps"}  # one call of the method is not narrowed


def test_helper_takes_the_intents_its_callers_build() -> None:
    c = DexClass("com.example.sdk.Probe")
    c.add_method(
        "has",
        "(Landroid/content/pm/PackageManager;Landroid/content/Intent;)Z",
        code=Code().const4(0, 0).invoke_virtual(QUERY, [1, 2, 0]).const4(0, 0).return_value(0),
        access=STATIC,
        registers=3,  # v1 = the PackageManager, v2 = the intent (the parameters)
    )
    _method(
        c,
        "caller",
        Code()
        .new_instance(1, INTENT)
        .const_string(0, "com.huawei.hms.core.aidlservice")
        .invoke_direct(INIT_ACTION, [1, 0])
        .const_string(0, "com.huawei.hwid")
        .invoke_virtual(SET_PACKAGE, [1, 0])
        .invoke_static(HELPER, [4, 1]),
    )
    s = _sites(_scan(c))
    assert s["has"].args == ["Intent { act=com.huawei.hms.core.aidlservice pkg=com.huawei.hwid }"]
    assert _pi(s["has"]) == set()


def test_runtime_intent_argument() -> None:
    classify = ApiClassifier(knowledge()).classify
    launcher = "Intent { act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] }"
    hit = classify(API, [launcher, 0])
    assert hit is not None and hit.pi_type == "installed_apps"
    assert classify(API, ["Intent { act=com.huawei.hms.core.aidlservice pkg=com.huawei.hwid }", 0]) is None
    missing = classify(API, [])  # no argument recorded: conservative
    assert missing is not None and missing.pi_type == "installed_apps"


def test_catalogue_entry_matches_runtime_intent_strings() -> None:
    (entry,) = knowledge().sensitive_apis.lookup(API)
    assert entry.matches_args(
        ["Intent { act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] }"]
    )
    assert entry.matches_args([])  # no argument recorded: kept
    assert entry.matches_args([None])  # not an intent description: kept
    assert not entry.matches_args(
        ["Intent { act=android.intent.action.VIEW dat=market://details pkg=com.x }"]
    )
    assert not entry.matches_args(["Intent { cmp=com.huawei.hwid/.Core }"])
    assert not entry.matches_args(["Intent { act=com.huawei.hms.core.aidlservice }"])


def test_action_from_a_parameter_is_unknown_not_narrowed() -> None:
    c = DexClass("com.example.sdk.Apps")
    # listApps(String action, PackageManager pm): new Intent(action) — the caller may pass ACTION_MAIN
    c.add_method(
        "listApps",
        "(Ljava/lang/String;Landroid/content/pm/PackageManager;)V",
        code=Code()
        .new_instance(1, INTENT)
        .invoke_direct(INIT_ACTION, [1, 3])
        .const4(0, 0)
        .invoke_virtual(QUERY, [4, 1, 0])
        .return_void(),
        access=STATIC,
        registers=5,  # v3 = action, v4 = PackageManager (the parameters)
    )
    site = _sites(_scan(c))["listApps"]
    assert site.args == ["Intent { act=* }"]
    assert _pi(site) == {"installed_apps"}


SB_INIT = "Ljava/lang/StringBuilder;-><init>(Ljava/lang/String;)V"
SB_APPEND = "Ljava/lang/StringBuilder;->append(Ljava/lang/String;)Ljava/lang/StringBuilder;"
SB_TO_STRING = "Ljava/lang/StringBuilder;->toString()Ljava/lang/String;"
ACTION_FIELD = "Lcom/example/sdk/Keys;->ACTION:Ljava/lang/String;"


def test_an_action_built_from_pieces_is_decoded_and_an_unknown_one_is_unresolved(knowledge) -> None:  # type: ignore[no-untyped-def]
    """Issue 8: "android.intent." + "action.MAIN" is the launcher query (the app list), not a presence check; an
    action from a static field stays unknown: marked unresolved (T2 low, present), never a presence check."""
    from apprights.knowledge.sensitive_apis import narrowed_intent, unresolved_intent

    c = DexClass("com.example.sdk.Built")
    _method(
        c,
        "built",
        _query(
            Code()
            .new_instance(3, "Ljava/lang/StringBuilder;")
            .const_string(0, "android.intent.")
            .invoke_direct(SB_INIT, [3, 0])
            .const_string(0, "action.MAIN")
            .invoke_virtual(SB_APPEND, [3, 0])
            .move_result_object(3)
            .invoke_virtual(SB_TO_STRING, [3])
            .move_result_object(0)
            .new_instance(1, INTENT)
            .invoke_direct(INIT_ACTION, [1, 0])
        ),
    )
    _method(
        c,
        "fromField",
        _query(
            Code().sget_object(0, ACTION_FIELD).new_instance(1, INTENT).invoke_direct(INIT_ACTION, [1, 0])
        ),
    )
    s = _sites(_scan(c))
    assert s["built"].args == ["Intent { act=android.intent.action.MAIN }"]
    assert _pi(s["built"]) == {"installed_apps"}
    assert s["fromField"].args == ["Intent { act=? }"]
    assert unresolved_intent("Intent { act=? }") and not narrowed_intent("Intent { act=? }")
    assert not unresolved_intent("Intent { act=? pkg=com.huawei.hwid }")
