"""Issue 8: starts of other apps from alarms and scheduled work are background starts (medium).

The dex files are built with ``apprights.testing.dexwriter`` and scanned by the real extractor, so the
``PendingIntent`` → alarm pairing and the ``new Intent(context, X.class)`` target come from decoded instructions.
"""

from __future__ import annotations

from apprights.extractors.dex import DexTargets, extract_code
from apprights.model.facts import CodeFacts
from apprights.model.finding import Severity
from apprights.rules.t6_autostart.starts_other_apps import StartsOtherApps
from apprights.testing.dexwriter import ACC_PUBLIC, ACC_STATIC, Code, DexClass, write_dex
from apprights.testing.factories import activity, make_facts, make_manifest
from tests.rules.static_support import only, run, static_kb

STATIC = ACC_PUBLIC | ACC_STATIC
INTENT = "Landroid/content/Intent;"
INIT_EMPTY = "Landroid/content/Intent;-><init>()V"
INIT_CLASS = "Landroid/content/Intent;-><init>(Landroid/content/Context;Ljava/lang/Class;)V"
SET_PACKAGE = "Landroid/content/Intent;->setPackage(Ljava/lang/String;)Landroid/content/Intent;"
START = "Landroid/content/Context;->startActivity(Landroid/content/Intent;)V"
GET_BROADCAST = (
    "Landroid/app/PendingIntent;->getBroadcast(Landroid/content/Context;ILandroid/content/Intent;I)"
    "Landroid/app/PendingIntent;"
)
GET_ACTIVITY = (
    "Landroid/app/PendingIntent;->getActivity(Landroid/content/Context;ILandroid/content/Intent;I)"
    "Landroid/app/PendingIntent;"
)
ALARM_SET = "Landroid/app/AlarmManager;->set(IJLandroid/app/PendingIntent;)V"
ALARM_CLOCK = (
    "Landroid/app/AlarmManager;->setAlarmClock(Landroid/app/AlarmManager$AlarmClockInfo;"
    "Landroid/app/PendingIntent;)V"
)
SISTER = "com.example.sister"
# registers: v0..v3 locals, v4 never written (an unknown object), v5 the Context parameter


def _static(cls: DexClass, name: str, code: Code) -> None:
    cls.add_method(name, "(Landroid/content/Context;)V", code=code.return_void(), access=STATIC)


def _start_sister(code: Code) -> Code:
    """new Intent().setPackage("com.example.sister"); context.startActivity(intent)"""
    return (
        code.new_instance(1, INTENT)
        .invoke_direct(INIT_EMPTY, [1])
        .const_string(0, SISTER)
        .invoke_virtual(SET_PACKAGE, [1, 0])
        .invoke_virtual(START, [5, 1])
    )


def _scan(*classes: DexClass) -> CodeFacts:
    targets = DexTargets.from_catalogue(static_kb().sensitive_apis)
    return extract_code([("classes.dex", write_dex(list(classes)))], targets)


def _severity(code: CodeFacts, *components: object) -> Severity:
    facts = make_facts(manifest=make_manifest("com.example.app", components=components), code=code)
    return only(run(StartsOtherApps, facts)).severity


def test_a_start_wrapped_in_an_alarm_pending_intent_is_a_background_start() -> None:
    c = DexClass("com.example.app.Keeper")
    _static(  # new Intent().setPackage(sister) → PendingIntent.getBroadcast → AlarmManager.set
        c,
        "keepAlive",
        Code()
        .new_instance(1, INTENT)
        .invoke_direct(INIT_EMPTY, [1])
        .const_string(0, SISTER)
        .invoke_virtual(SET_PACKAGE, [1, 0])
        .const4(2, 0)
        .invoke_static(GET_BROADCAST, [5, 2, 1, 2])
        .move_result_object(3)
        .invoke_virtual(ALARM_SET, [4, 2, 2, 2, 3]),
    )
    code = _scan(c)
    facts = make_facts(manifest=make_manifest("com.example.app"), code=code)
    f = only(run(StartsOtherApps, facts))
    assert f.severity is Severity.MEDIUM
    assert any(e.data.get("background") == "alarm" for e in f.evidence)


def test_the_same_pending_intent_without_an_alarm_is_not_a_background_start() -> None:
    c = DexClass("com.example.app.Notifier")
    _static(  # a PendingIntent for a notification tap: the user starts it
        c,
        "notify",
        Code()
        .new_instance(1, INTENT)
        .invoke_direct(INIT_EMPTY, [1])
        .const_string(0, SISTER)
        .invoke_virtual(SET_PACKAGE, [1, 0])
        .const4(2, 0)
        .invoke_static(GET_BROADCAST, [5, 2, 1, 2])
        .move_result_object(3),
    )
    assert _severity(_scan(c)) is Severity.LOW


def test_an_activity_an_alarm_starts_is_a_background_context() -> None:
    scheduler = DexClass("com.example.app.Scheduler")
    _static(  # new Intent(context, Wake.class) → PendingIntent.getActivity → AlarmManager.setAlarmClock
        scheduler,
        "plan",
        Code()
        .new_instance(1, INTENT)
        .const_class(0, "Lcom/example/app/Wake;")
        .invoke_direct(INIT_CLASS, [1, 5, 0])
        .const4(2, 0)
        .invoke_static(GET_ACTIVITY, [5, 2, 1, 2])
        .move_result_object(3)
        .invoke_virtual(ALARM_CLOCK, [4, 4, 3]),
    )
    wake = DexClass("com.example.app.Wake")
    _static(wake, "onResume", _start_sister(Code()))
    code = _scan(scheduler, wake)
    pending = [s for s in code.call_sites if s.api == "android.app.PendingIntent.getActivity"]
    assert pending and pending[0].args == ["Intent { cmp=com.example.app.Wake }"]
    assert _severity(code, activity("com.example.app.Wake")) is Severity.MEDIUM
    # the same activity, not scheduled by any alarm: a start from a screen (the user's tap), low
    assert _severity(_scan(wake), activity("com.example.app.Wake")) is Severity.LOW


def test_a_start_from_scheduled_work_is_a_background_start() -> None:
    worker = DexClass("com.example.app.SyncWorker")  # a WorkManager worker: not a manifest component
    _static(worker, "doWork", _start_sister(Code()))
    assert _severity(_scan(worker)) is Severity.MEDIUM
    screen = DexClass("com.example.app.Screen")
    _static(screen, "onClick", _start_sister(Code()))
    assert _severity(_scan(screen)) is Severity.LOW
