from __future__ import annotations

from apprights.model.finding import Confidence, SubjectKind
from apprights.rules.t6_autostart.repeating_alarm import RepeatingAlarm
from apprights.testing.factories import make_code, make_facts, make_manifest, make_sdk_hit
from tests.rules.static_support import PUSH_SDK, only, run, static_kb


def facts(sites, sdks=()):  # type: ignore[no-untyped-def]
    return make_facts(manifest=make_manifest("com.example.app"), code=make_code(sites), sdks=sdks)


def test_triggers_repeating_alarm_in_a_push_sdk() -> None:
    sdk = make_sdk_hit(PUSH_SDK.id, knowledge=static_kb())
    f = only(
        run(
            RepeatingAlarm,
            facts([("android.app.AlarmManager.setRepeating", "com.apprightstest.push.Heart", "beat")], [sdk]),
        )
    )
    assert (
        f.rule == "T6.repeating_alarm" and f.subject.kind is SubjectKind.SDK and f.subject.id == PUSH_SDK.id
    )
    assert f.confidence is Confidence.PRESENT
    assert f.evidence[0].data["api"] == "android.app.AlarmManager.setRepeating"


def test_triggers_inexact_repeating_in_the_app() -> None:
    f = only(
        run(
            RepeatingAlarm,
            facts([("android.app.AlarmManager.setInexactRepeating", "com.example.app.Sync", "plan")]),
        )
    )
    assert f.subject.kind is SubjectKind.APP


def test_clean_one_shot_alarms() -> None:
    assert (
        run(RepeatingAlarm, facts([("android.app.AlarmManager.set", "com.example.app.Remind", "once")])) == []
    )
