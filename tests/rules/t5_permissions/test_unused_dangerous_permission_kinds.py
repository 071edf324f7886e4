"""Only catalogue entries that collect PI (kind read/listen) show a permission's PI type in use."""

from __future__ import annotations

from apprights.rules.t5_permissions.unused_dangerous_permission import UnusedDangerousPermission
from apprights.testing.factories import make_code, make_facts, make_manifest
from tests.rules.static_support import P, run, static_kb

SCHEDULE = "android.app.job.JobScheduler.schedule"  # device_info / schedule
RADIO = "android.os.Build.getRadioVersion"  # device_info / read


def _keys(*sites: tuple[str, str, str]) -> set[str]:
    kb = static_kb()
    assert kb.permissions.is_dangerous(P + "BLUETOOTH_SCAN")
    assert {a.kind for a in kb.sensitive_apis.lookup(SCHEDULE)} == {"schedule"}
    facts = make_facts(
        manifest=make_manifest("com.example.app", permissions=["BLUETOOTH_SCAN"], knowledge=kb),
        code=make_code(list(sites)),
    )
    return {f.key for f in run(UnusedDangerousPermission, facts)}


def test_scheduling_a_job_does_not_use_a_device_info_permission() -> None:
    assert P + "BLUETOOTH_SCAN" in _keys((SCHEDULE, "com.example.app.Sync", "go"))


def test_reading_device_info_does() -> None:
    assert P + "BLUETOOTH_SCAN" not in _keys((RADIO, "com.example.app.Info", "radio"))
