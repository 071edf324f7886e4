from __future__ import annotations

from apprights.model.finding import Confidence, SubjectKind
from apprights.rules.t2_overreach.clipboard_read import ClipboardRead
from apprights.testing.factories import make_code, make_facts, make_manifest
from tests.rules.static_support import CLIPBOARD_API, only, run


def facts(sites, app_class=None):  # type: ignore[no-untyped-def]
    return make_facts(
        manifest=make_manifest("com.example.app", application_class=app_class), code=make_code(sites)
    )


def test_triggers_reading_the_clipboard_at_start_up() -> None:
    f = only(
        run(ClipboardRead, facts([(CLIPBOARD_API, "com.example.app.App", "onCreate")], "com.example.app.App"))
    )
    assert f.rule == "T2.clipboard_read" and f.subject.kind is SubjectKind.APP
    assert f.confidence is Confidence.REACHABLE
    assert f.evidence[0].data["api"] == CLIPBOARD_API and f.merge_key == "T2.pi:com.example.app:clipboard"


def test_triggers_present_elsewhere() -> None:
    f = only(run(ClipboardRead, facts([(CLIPBOARD_API, "com.example.app.util.Paste", "read")])))
    assert f.confidence is Confidence.PRESENT


def test_clean_writes_and_presence_checks() -> None:
    sites = [
        ("android.content.ClipboardManager.setPrimaryClip", "com.example.app.Copy", "copy"),
        ("android.content.ClipboardManager.hasPrimaryClip", "com.example.app.Copy", "check"),
    ]
    assert run(ClipboardRead, facts(sites)) == []
