"""JobScheduler jobs persisted across reboots."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Finding, Severity
from apprights.rules._static_common import (
    best_confidence,
    capped,
    entry_classes,
    group_sites_by_subject,
    method_name,
    permission_evidence,
    site_confidence,
    site_evidence,
)
from apprights.rules.base import Rule, RuleContext, app_subject

BOOT_PERMISSION = "android.permission.RECEIVE_BOOT_COMPLETED"
SET_PERSISTED = "android.app.job.JobInfo$Builder.setPersisted"


class PersistedJob(Rule):
    """Jobs that survive a reboot, so the system starts the app again after boot.

    What it detects
        A subject whose code calls ``JobInfo.Builder.setPersisted``, or calls ``JobScheduler.schedule`` /
        ``enqueue`` in an app that holds RECEIVE_BOOT_COMPLETED (the permission a persisted job needs).
        Periodic jobs (``setPeriodic``) in the same subject are noted. The system re-schedules persisted jobs
        at boot and starts the app's process to run them without the user.

    Legal basis
        164号文 二(6) (频繁自启动); 26号文; T/TAF 078.10.

    Evidence and confidence
        ``dex`` items for the calls and a ``manifest`` item for RECEIVE_BOOT_COMPLETED (one permission, one
        finding: the app's when the app schedules too, else the first subject's). Confidence ``present``
        (``reachable`` from an entry point or a start-up SDK). Severity low. ``setPersisted(false)`` cannot be
        told apart statically from ``setPersisted(true)``.

    Known false positives
        Backup, sync and upload jobs the user asked for may lawfully persist; WorkManager persists all its jobs
        and needs RECEIVE_BOOT_COMPLETED, so any app using it with a scheduled worker matches the second form.

    Fixtures
        tests/rules/t6_autostart/test_persisted_job.py
    """

    id = "T6.persisted_job"
    problem_type = 6
    title_zh = "调度开机后仍保留的后台任务（JobScheduler持久化）"
    title_en = "Schedules jobs that persist across reboots"
    severity = Severity.LOW
    legal_basis = ("164号文 二(6)", "26号文", "T/TAF 078.10")
    requires = frozenset({"manifest", "code"})
    default_options: ClassVar[dict[str, Any]] = {
        "schedule_apis": [
            "android.app.job.JobScheduler.schedule",
            "android.app.job.JobScheduler.enqueue",
        ],
        "periodic_apis": ["android.app.job.JobInfo$Builder.setPeriodic"],
    }

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        if facts.manifest is None:
            return
        opt = type(self)
        has_boot = BOOT_PERMISSION in facts.manifest.permission_names()
        persisted = group_sites_by_subject(facts, ctx, {SET_PERSISTED})
        scheduled = group_sites_by_subject(facts, ctx, set(ctx.option(opt, "schedule_apis")))
        periodic = group_sites_by_subject(facts, ctx, set(ctx.option(opt, "periodic_apis")))
        entries = entry_classes(facts)
        subjects = sorted(set(persisted) | (set(scheduled) if has_boot else set()))
        # the permission is one fact: the evidence of one finding (the app's, else the first subject's)
        app_id = app_subject(facts).id
        boot_owner = app_id if app_id in subjects else (subjects[0] if subjects else "")
        for sid in subjects:
            subject, sdk, _ = persisted.get(sid) or scheduled[sid]
            sites = [*persisted.get(sid, (None, None, []))[2], *scheduled.get(sid, (None, None, []))[2]]
            sites += periodic.get(sid, (None, None, []))[2]
            sites = list({(x.api, x.caller_class, x.caller_method): x for x in sites}.values())
            evidence = [site_evidence(s) for s in sites]
            if has_boot and sid == boot_owner:
                evidence.append(permission_evidence(BOOT_PERMISSION))
            confidence = best_confidence(site_confidence(s, entries, sdk) for s in sites)
            if sid not in persisted:  # inferred from the permission only
                confidence = min(confidence, Confidence.PRESENT, key=lambda c: c.rank)
            names = sorted({method_name(s.api) for s in sites})
            yield self.finding(
                facts,
                key="persisted_job",
                subject=subject,
                confidence=confidence,
                evidence=capped(evidence),
                merge_key=f"T6.self_start:{sid}:job",
                detail_zh="代码调度可跨重启保留的后台任务（" + "、".join(names) + "）",
                detail_en="Code schedules jobs that survive a reboot (" + ", ".join(names) + ")",
            )
