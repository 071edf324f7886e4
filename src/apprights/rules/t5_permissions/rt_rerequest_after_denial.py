"""Runtime: a denied permission requested again within 48 hours without a user action."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.model.runtime import PermissionRequest, PermissionResult, TraceSession
from apprights.rules._rt_common import permission_group, sessions, tap_within, trace_evidence
from apprights.rules.base import Rule, RuleContext
from apprights.rules.t5_permissions.rt_exit_after_denial import DENIED


class RerequestAfterDenial(Rule):
    """The same permission (group) is requested again within 48 h of a denial, with no user action before it.

    What it detects
        A ``permission_request`` containing a permission of the same group as an earlier
        ``denied``/``denied_forever`` answer, less than ``window_h`` hours (default 48, the practitioners' and
        stores' threshold) later, and with no user tap in the ``user_action_s`` seconds before it (a tap on the
        related feature may legitimately ask again). When every session's header has ``started_at``, the
        sessions form one timeline, so a denial in one session and the request after a kill and relaunch in the
        next one count together; a session on a fresh install (``fresh_install`` header, written by the
        collector for each consent path) starts a new timeline. One finding per permission group.

    Legal basis
        164号文 二(5) (用户明确拒绝权限申请后，频繁弹窗、反复申请); 认定方法 三(2) (频繁征求用户同意、干扰正常使用);
        T/TAF 078.4.

    Evidence and confidence
        ``trace`` items for the denial and each repeated request. Confidence ``observed_in_violation``.

    Known false positives
        A driver that does not record its taps (every repeat then looks unprompted).

    Fixtures
        tests/fixtures/traces/t5_violate.jsonl and t5_clean.jsonl;
        tests/rules/t5_permissions/test_rt_rerequest_after_denial.py.
    """

    id = "T5.rerequest_after_denial"
    problem_type = 5
    title_zh = "用户拒绝后48小时内反复申请权限"
    title_en = "Denied permission requested again within 48 hours"
    severity = Severity.HIGH
    legal_basis = ("164号文 二(5)", "认定方法 三(2)", "T/TAF 078.4")
    requires = frozenset({"runtime"})
    default_options: ClassVar[dict[str, Any]] = {"window_h": 48.0, "user_action_s": 2.0}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        window = float(ctx.option(type(self), "window_h")) * 3600.0
        action_s = float(ctx.option(type(self), "user_action_s"))
        found: dict[str, list[Evidence]] = {}
        all_sessions = sessions(facts)
        bases = [session_start(s) for s in all_sessions]
        timelines = session_timelines(all_sessions, bases)
        for timeline in timelines:
            events: list[tuple[float, int, TraceSession, PermissionResult | PermissionRequest]] = []
            for s, base in timeline:
                events += [(base + r.at.t, r.at.index, s, r) for r in s.permission_results]
                events += [(base + q.at.t, q.at.index, s, q) for q in s.permission_requests]
            events.sort(key=lambda x: (x[0], x[1]))
            denials: dict[str, tuple[float, Evidence]] = {}
            for abs_t, _, s, obj in events:
                if isinstance(obj, PermissionResult):
                    if obj.result in DENIED:
                        g = permission_group(obj.permission, ctx.knowledge)
                        ev = trace_evidence(s, obj.at, kind="permission_result", permission=obj.permission)
                        denials.setdefault(g, (abs_t, ev))
                    continue
                for perm in obj.permissions:
                    g = permission_group(perm, ctx.knowledge)
                    if g not in denials or abs_t - denials[g][0] > window:
                        continue
                    if tap_within(s, obj.at.t, action_s):
                        continue
                    evs = found.setdefault(g, [denials[g][1]])
                    if len(evs) < 12:
                        evs.append(
                            trace_evidence(s, obj.at, kind="permission_request", permissions=obj.permissions)
                        )
        for group, evs in found.items():
            n = len(evs) - 1
            yield self.finding(
                facts,
                key=f"rerequest:{group}",
                confidence=Confidence.OBSERVED_IN_VIOLATION,
                evidence=evs,
                detail_zh=f"用户拒绝{group}权限后，应用在无用户操作时再次申请{n}次",
                detail_en=f"After the user denied the {group} permission, the app asked again {n} time(s) unprompted",
            )


def session_timelines(
    all_sessions: list[TraceSession], bases: list[float | None]
) -> list[list[tuple[TraceSession, float]]]:
    """Sessions that continue one another (kill and relaunch) form one timeline when every session says when it
    started; a session on a fresh install (``fresh_install`` in its header) starts a new one: the refuse and
    agree paths of a collector run are separate installs, and a denial in one says nothing about the other."""
    if not all_sessions or any(b is None for b in bases):
        return [[(s, 0.0)] for s in all_sessions]
    ordered = sorted(zip(all_sessions, [b or 0.0 for b in bases], strict=True), key=lambda x: x[1])
    timelines: list[list[tuple[TraceSession, float]]] = []
    for s, base in ordered:
        if not timelines or s.header.fresh_install:
            timelines.append([])
        timelines[-1].append((s, base))
    return timelines


def session_start(s: TraceSession) -> float | None:
    """The session's ``started_at`` as a UNIX time (UTC when no zone is given), or None."""
    if not s.header.started_at:
        return None
    try:
        dt = datetime.fromisoformat(s.header.started_at)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()
