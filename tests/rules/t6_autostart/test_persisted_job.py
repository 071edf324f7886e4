from __future__ import annotations

from apprights.model.finding import Confidence
from apprights.rules.t6_autostart.persisted_job import PersistedJob
from apprights.testing.factories import make_code, make_facts, make_manifest
from tests.rules.static_support import only, run

SCHEDULE = "android.app.job.JobScheduler.schedule"
PERSIST = "android.app.job.JobInfo$Builder.setPersisted"


def facts(sites, perms=()):  # type: ignore[no-untyped-def]
    return make_facts(manifest=make_manifest("com.example.app", permissions=perms), code=make_code(sites))


def test_triggers_set_persisted() -> None:
    f = only(
        run(
            PersistedJob,
            facts([(PERSIST, "com.example.app.Jobs", "plan"), (SCHEDULE, "com.example.app.Jobs", "plan")]),
        )
    )
    assert f.rule == "T6.persisted_job" and f.confidence is Confidence.PRESENT
    assert {e.data["api"] for e in f.evidence} == {PERSIST, SCHEDULE}


def test_triggers_schedule_with_boot_permission() -> None:
    f = only(
        run(
            PersistedJob,
            facts([(SCHEDULE, "com.example.app.Jobs", "plan")], perms=["RECEIVE_BOOT_COMPLETED"]),
        )
    )
    assert f.evidence[-1].data == {"permission": "android.permission.RECEIVE_BOOT_COMPLETED"}


def test_clean_schedule_without_boot_permission() -> None:
    assert run(PersistedJob, facts([(SCHEDULE, "com.example.app.Jobs", "plan")])) == []
