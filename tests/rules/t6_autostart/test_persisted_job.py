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


def test_the_boot_permission_is_the_evidence_of_one_finding() -> None:
    """Found by the one-fact-one-finding property test: the app and an SDK both schedule jobs, and both
    findings cited the app's one RECEIVE_BOOT_COMPLETED. It goes with the app's; each call site is listed once."""
    from apprights.testing.factories import make_sdk_hit
    from tests.rules.static_support import static_kb

    sites = [
        (SCHEDULE, "com.example.app.Main", "m"),
        (SCHEDULE, "com.megvii.meglive_sdk.X", "m"),
        (PERSIST, "com.megvii.meglive_sdk.X", "m"),
    ]
    fx = make_facts(
        manifest=make_manifest("com.example.app", permissions=["RECEIVE_BOOT_COMPLETED"]),
        code=make_code(sites),
        sdks=[make_sdk_hit("megvii-faceid", knowledge=static_kb())],
    )
    found = {f.subject.id: f for f in run(PersistedJob, fx)}
    assert set(found) == {"com.example.app", "megvii-faceid"}
    perm = {"permission": "android.permission.RECEIVE_BOOT_COMPLETED"}
    assert perm in [e.data for e in found["com.example.app"].evidence]
    assert perm not in [e.data for e in found["megvii-faceid"].evidence]
    sdk_sites = [(e.data["api"], e.data["caller_class"]) for e in found["megvii-faceid"].evidence]
    assert len(sdk_sites) == len(set(sdk_sites)) == 2
