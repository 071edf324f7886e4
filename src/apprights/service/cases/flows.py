"""Case workflows: review findings, open/join cases, issue notices, respond, re-test, escalate.

Every state change goes through ``transition`` (table + guard check, then the audit record).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from apprights.errors import InputError
from apprights.service import audit
from apprights.service.apps.models import App
from apprights.service.cases.lifecycle import OPEN, CaseFacts, State, check, next_escalation
from apprights.service.cases.models import CalendarYear, Case, CaseResponse
from apprights.service.db import utc_naive
from apprights.service.errors import Conflict, NotFound
from apprights.service.notices import issue
from apprights.service.orgs.models import Enterprise
from apprights.service.scans.models import Finding, ScanRun
from apprights.service.timeutil import beijing_date
from apprights.service.users.models import User
from apprights.service.workdays import WorkdayCalendar, working_day_deadline


@dataclass(frozen=True)
class Actor:
    """Who acts: a user (id and display ``role:username``) or the system (scheduled jobs)."""

    name: str
    user_id: int | None = None

    @property
    def role(self) -> str:
        """The role a transition is checked against: the ``role:`` prefix of the name (``Principal.actor``);
        the system otherwise."""
        prefix, sep, _ = self.name.partition(":")
        return prefix if sep else "system"


SYSTEM = Actor("system")


def build_calendar(session: Session) -> WorkdayCalendar:
    """The default calendar plus every year schedule an operator loaded into the database."""
    cal = WorkdayCalendar.default()
    for row in session.scalars(select(CalendarYear).order_by(CalendarYear.year)):
        cal.add_year_schedule(
            row.year,
            [date.fromisoformat(d) for d in json.loads(row.holidays)],
            [date.fromisoformat(d) for d in json.loads(row.workdays)],
        )
    return cal


def facts_for(
    session: Session, case: Case, now: datetime, *, reason: str = "", retest_clean: bool | None = None
) -> CaseFacts:
    confirmed = session.scalar(
        select(func.count())
        .select_from(Finding)
        .where(Finding.case_id == case.id, Finding.status == "confirmed")
    )
    responses = session.scalar(
        select(func.count())
        .select_from(CaseResponse)
        .where(CaseResponse.case_id == case.id, CaseResponse.late.is_(False))
    )
    return CaseFacts(
        state=State(case.state),
        today=beijing_date(now),
        repeat=case.repeat,
        confirmed_findings=confirmed or 0,
        deadline=case.deadline,
        responses=responses or 0,
        retest_clean=retest_clean,
        reason=reason,
    )


def transition(
    session: Session,
    case: Case,
    to: State,
    *,
    actor: Actor,
    now: datetime,
    reason: str = "",
    evidence: Sequence[str] = (),
    retest_clean: bool | None = None,
    automatic: bool = False,
) -> None:
    """Make one transition: table, role (the actor's; ``automatic`` consequences of an allowed action, such as
    confirming a reviewed finding or a repeat offence's direct 通报, count as the system) and guard, then the
    audit record and the side effects (下架 orders the removal from the stores)."""
    session.flush()
    facts = facts_for(session, case, now, reason=reason, retest_clean=retest_clean)
    check(facts, to, "system" if automatic else actor.role)
    old = case.state
    case.state = str(to)
    case.updated_at = utc_naive(now)
    if to is State.CLOSED:
        case.closed_as = old
    audit.record_by(
        session,
        actor,
        now=now,
        entity="case",
        entity_id=case.id,
        action="transition",
        from_state=old,
        to_state=str(to),
        reason=reason,
        evidence=evidence,
    )
    session.flush()
    if to is State.ESCALATED_REMOVAL and not issue.has_removal_order(session, case.id):
        issue.new_notice(
            session,
            "removal",
            "XJ",
            title=issue.REMOVAL_TITLE,
            intro="",
            issuer="",
            issued_on=beijing_date(now),
            working_days=0,
            deadline=None,
            actor=actor.name,
            actor_id=actor.user_id,
            now=now,
            case_ids=[case.id],
        )


def _province_of(session: Session, app_id: int) -> str | None:
    return session.scalar(
        select(Enterprise.province_code).join(App, App.enterprise_id == Enterprise.id).where(App.id == app_id)
    )


def repeat_source(session: Session, finding: Finding, store_id: int | None) -> Case | None:
    """The earlier case this finding repeats: a case closed as rectified with the same fingerprint or the same
    problem type and subject, or a case about the same problem on another store."""
    matching = or_(
        Finding.fingerprint == finding.fingerprint,
        (Finding.problem_type == finding.problem_type) & (Finding.subject_key == finding.subject_key),
    )
    rectified = select(Case).where(
        Case.app_id == finding.app_id,
        or_(Case.closed_as == str(State.RECTIFIED), Case.state == str(State.RECTIFIED)),
        Case.id.in_(select(Finding.case_id).where(matching, Finding.status == "confirmed")),
    )
    prior = session.scalars(rectified.order_by(Case.id.desc())).first()
    if prior is not None or store_id is None:
        return prior
    other_store = select(Case).where(
        Case.app_id == finding.app_id,
        Case.problem_type == finding.problem_type,
        Case.store_id.is_not(None),
        Case.store_id != store_id,
        Case.state.not_in([str(State.DISMISSED), str(State.WITHDRAWN)]),
    )
    return session.scalars(other_store.order_by(Case.id.desc())).first()


def review_finding(
    session: Session, finding: Finding, *, confirm: bool, reason: str, actor: Actor, now: datetime
) -> Case | None:
    """Confirm (opens or joins a case) or dismiss (with a reason) a pending finding."""
    if finding.status == "self_check":  # scans.selfcheck: the enterprise's own check, never a regulator case
        raise Conflict(f"企业自查结果不予审核 / finding {finding.id} is from an enterprise self-check")
    if finding.status != "pending":
        raise Conflict(f"问题已审核 / finding {finding.id} was already reviewed ({finding.status})")
    if not confirm and not reason.strip():
        raise InputError("review", "排除须说明理由 / dismissing needs a reason")
    finding.status = "confirmed" if confirm else "dismissed"
    finding.review_reason = reason
    finding.reviewed_by = actor.user_id
    finding.reviewed_at = utc_naive(now)
    audit.record_by(
        session,
        actor,
        now=now,
        entity="finding",
        entity_id=finding.id,
        action="confirm" if confirm else "dismiss",
        from_state="pending",
        to_state=finding.status,
        reason=reason,
    )
    if not confirm:
        session.flush()
        return None
    return _open_or_join(session, finding, actor=actor, now=now)


def _open_or_join(session: Session, finding: Finding, *, actor: Actor, now: datetime) -> Case:
    store_id = session.scalar(select(ScanRun.store_id).where(ScanRun.id == finding.scan_run_id))
    open_cases = session.scalars(
        select(Case)
        .where(
            Case.app_id == finding.app_id,
            Case.problem_type == finding.problem_type,
            Case.state.in_([str(s) for s in OPEN]),
        )
        .order_by(Case.id)
    )
    for case in open_cases:
        if case.store_id is None or store_id is None or case.store_id == store_id:
            case.app_version_id = max(case.app_version_id, finding.app_version_id)
            return _join_case(
                session,
                finding,
                case,
                actor=actor,
                now=now,
                reason=f"finding {finding.id} joined",
                evidence=[f"finding:{finding.id}", f"fingerprint:{finding.fingerprint}"],
            )
    return _open_case(session, finding, store_id, repeat_source(session, finding, store_id), actor, now)


def open_repeat_case(
    session: Session, finding: Finding, prior: Case, store_id: int | None, *, actor: Actor, now: datetime
) -> Case:
    """Open a case for a confirmed ``finding`` that repeats ``prior`` (e.g. the app re-listed on another store
    after rectification or removal): it is confirmed and escalated to 通报 directly. An open case of the same
    app, problem type and store is joined instead (idempotent)."""
    existing = session.scalars(
        select(Case)
        .where(
            Case.app_id == finding.app_id,
            Case.problem_type == finding.problem_type,
            Case.store_id == store_id,
            Case.state.in_([str(s) for s in OPEN]),
            Case.id != prior.id,
        )
        .order_by(Case.id)
    ).first()
    if existing is not None:
        return _join_case(
            session,
            finding,
            existing,
            actor=actor,
            now=now,
            reason=f"finding {finding.id} joined (repeat of case #{prior.id})",
            evidence=[f"finding:{finding.id}", f"case:{prior.id}"],
        )
    return _open_case(session, finding, store_id, prior, actor, now)


def _join_case(
    session: Session,
    finding: Finding,
    case: Case,
    *,
    actor: Actor,
    now: datetime,
    reason: str,
    evidence: list[str],
) -> Case:
    """Attach ``finding`` to an open ``case`` and write the audit record of the join."""
    finding.case_id = case.id
    case.updated_at = utc_naive(now)
    audit.record_by(
        session,
        actor,
        now=now,
        entity="case",
        entity_id=case.id,
        action="join",
        reason=reason,
        evidence=evidence,
    )
    session.flush()
    return case


def _open_case(
    session: Session, finding: Finding, store_id: int | None, prior: Case | None, actor: Actor, now: datetime
) -> Case:
    case = Case(
        app_id=finding.app_id,
        app_version_id=finding.app_version_id,
        store_id=store_id,
        province_code=_province_of(session, finding.app_id),
        problem_type=finding.problem_type,
        state=str(State.DETECTED),
        repeat=prior is not None,
        repeat_of_case_id=prior.id if prior is not None else None,
        opened_at=utc_naive(now),
        updated_at=utc_naive(now),
    )
    session.add(case)
    session.flush()
    finding.case_id = case.id
    audit.record_by(
        session,
        actor,
        now=now,
        entity="case",
        entity_id=case.id,
        action="open",
        to_state=str(State.DETECTED),
        evidence=[f"finding:{finding.id}"],
    )
    transition(
        session,
        case,
        State.CONFIRMED,
        actor=actor,
        now=now,
        evidence=[f"finding:{finding.id}"],
        automatic=True,
    )
    if prior is not None:
        why = f"重复违规，前案 #{prior.id} / repeat offence of case #{prior.id}"
        transition(
            session,
            case,
            State.ESCALATED_PUBLIC,
            actor=actor,
            now=now,
            reason=why,
            evidence=[f"case:{prior.id}"],
            automatic=True,
        )
    return case


def set_deadline(session: Session, case: Case, issued_on: date, working_days: int) -> date:
    deadline = working_day_deadline(issued_on, working_days, build_calendar(session))
    case.deadline = deadline
    case.working_days = working_days
    return deadline


def respond(
    session: Session,
    case: Case,
    *,
    text: str,
    scan_run_id: int | None,
    actor: Actor,
    now: datetime,
    version_name: str = "",
    version_code: int | None = None,
) -> CaseResponse:
    if scan_run_id is not None:
        run = session.get(ScanRun, scan_run_id)
        if run is None or run.app_id != case.app_id:
            raise InputError("response", f"扫描记录 {scan_run_id} 不属于该应用 / scan run is not of this app")
    if case.state not in (str(State.NOTICE_ISSUED), str(State.RESPONSE_SUBMITTED)):
        raise Conflict(f"案件当前状态不接受反馈 / case is {case.state}, not awaiting a response")
    late = case.deadline is not None and beijing_date(now) > case.deadline
    resp = CaseResponse(
        case_id=case.id,
        submitted_by=actor.user_id,
        submitted_at=utc_naive(now),
        text=text,
        scan_run_id=scan_run_id,
        late=late,
        version_name=version_name[:100],
        version_code=version_code,
    )
    session.add(resp)
    session.flush()
    ev = [f"response:{resp.id}"] + ([f"scan_run:{scan_run_id}"] if scan_run_id else [])
    if late:
        # kept and shown to the regulator, but a late answer does not stop the clock: the case stays
        # notice_issued and the overdue job escalates it
        why = f"逾期反馈（期限 {case.deadline}）/ late response (deadline {case.deadline})"
        audit.record_by(
            session,
            actor,
            now=now,
            entity="case",
            entity_id=case.id,
            action="late_response",
            reason=why,
            evidence=ev,
        )
        session.flush()
    elif case.state == str(State.NOTICE_ISSUED):
        transition(
            session, case, State.RESPONSE_SUBMITTED, actor=actor, now=now, reason=text[:500], evidence=ev
        )
    return resp


def decisive_runs() -> Any:
    """Scan runs that count as test results: not an enterprise self-check and not submitted by an enterprise
    account (those are kept and shown with the enterprise's response, but only a test agency's or the
    ministry's report decides a re-test)."""
    by_enterprise = select(User.id).where(User.role == "enterprise")
    return select(ScanRun.id).where(
        ScanRun.self_check.is_(False),
        or_(ScanRun.submitted_by.is_(None), ScanRun.submitted_by.not_in(by_enterprise)),
    )


def retest(
    session: Session,
    case: Case,
    *,
    scan_run_id: int | None,
    actor: Actor,
    now: datetime,
    data_dir: Path | None = None,
) -> bool:
    """Re-test against a later scan of the app: not rectified when a problem of the case recurs; rectified only
    when the later scan's stored report proves every problem fixed (``reports.diff.classify_retest``: its rule
    ran on the same kinds of evidence); otherwise Conflict, and the case stays where it is. Only a test result
    (``decisive_runs``) decides; the case may already be in ``retest`` (re-tested again)."""
    own_runs = select(Finding.scan_run_id).where(Finding.case_id == case.id)
    if scan_run_id is not None:
        run = session.get(ScanRun, scan_run_id)
        if run is None or run.app_id != case.app_id:
            raise NotFound(f"扫描记录不存在 / no scan run {scan_run_id} of this app")
        if session.scalar(decisive_runs().where(ScanRun.id == run.id)) is None:
            raise Conflict(
                f"扫描记录 {run.id} 是企业自查结果，不能作为复测依据 / scan run {run.id} is an enterprise "
                "self-check: only a test agency's or the ministry's report decides a re-test"
            )
    else:
        run = session.scalars(
            select(ScanRun)
            .where(
                ScanRun.app_id == case.app_id,
                ScanRun.id.not_in(own_runs),
                ScanRun.id.in_(decisive_runs()),
            )
            .order_by(ScanRun.id.desc())
        ).first()
        if run is None:
            raise Conflict(
                "没有检测机构的新扫描可用于复测 / no newer scan by a test agency or the ministry to re-test against"
            )
    case_findings = session.scalars(
        select(Finding).where(Finding.case_id == case.id, Finding.status == "confirmed")
    )
    fps = set()
    subjects = set()
    for f in case_findings:
        fps.add(f.fingerprint)
        subjects.add(f.subject_key)
    recurring = session.scalar(
        select(func.count())
        .select_from(Finding)
        .where(
            Finding.scan_run_id == run.id,
            or_(
                Finding.fingerprint.in_(fps),
                (Finding.problem_type == case.problem_type) & Finding.subject_key.in_(subjects),
            ),
        )
    )
    clean = not recurring
    if clean:
        _require_retest_coverage(session, case, run, data_dir)
    ev = [f"scan_run:{run.id}", f"recurring_findings:{recurring or 0}"]
    transition(session, case, State.RETEST, actor=actor, now=now, evidence=ev)
    outcome = State.RECTIFIED if clean else State.NOT_RECTIFIED
    why = "复测未发现问题 / re-test clean" if clean else "复测仍存在问题 / problem persists in re-test"
    transition(session, case, outcome, actor=actor, now=now, reason=why, evidence=ev, retest_clean=clean)
    return clean


def _require_retest_coverage(session: Session, case: Case, run: ScanRun, data_dir: Path | None) -> None:
    """Absence proves a fix only where the re-test looked: the same logic as ``apprights diff``."""
    from apprights.reports.diff import NotComparable, check_same_app, classify_retest
    from apprights.service.scans.stored import stored_report

    after = stored_report(session, data_dir, run) if data_dir is not None else None
    if after is None:
        raise Conflict(
            f"复测扫描 {run.id} 无报告原件，无法证明已整改 / scan run {run.id} has no stored report to prove the fix"
        )
    rows = list(
        session.scalars(select(Finding).where(Finding.case_id == case.id, Finding.status == "confirmed"))
    )
    # the case's findings as their own stored reports have them (the rows keep at most 10 evidence items, and
    # a dropped trace item would hide that the finding needs a trace); the rows themselves where none is stored
    originals: dict[int, dict[str, dict[str, object]]] = {}
    findings: list[dict[str, object]] = []
    for r in rows:
        if r.scan_run_id not in originals:
            run_row = session.get(ScanRun, r.scan_run_id)
            before = stored_report(session, data_dir, run_row) if run_row is not None and data_dir else None
            if before is not None:
                try:
                    check_same_app(before, after)
                except NotComparable as exc:
                    raise Conflict(f"复测扫描不是同一应用 / {exc}") from None
            originals[r.scan_run_id] = {
                str(f.get("fingerprint")): f
                for f in (before or {}).get("findings", [])
                if isinstance(f, dict)
            }
        row_finding: dict[str, object] = {
            "fingerprint": r.fingerprint,
            "rule": r.rule,
            "problem_type": r.problem_type,
            "subject": {"kind": r.subject_kind, "id": r.subject_key, "name": r.subject_name},
            "evidence": _evidence_list(r.evidence),
        }
        original = originals[r.scan_run_id].get(r.fingerprint)
        if original is not None and isinstance(original.get("evidence"), list):
            row_finding["evidence"] = original["evidence"]
        findings.append(row_finding)
    _fixed, _found, untested = classify_retest(findings, after)
    if untested:
        why = "; ".join(f"{u.finding['rule']}: {u.reason_en}" for u in untested[:5])
        raise Conflict(
            f"复测未覆盖案件中的问题，不能认定已整改 / the re-test did not cover the case's problems: {why}"
        )


def _evidence_list(raw: str) -> list[dict[str, object]]:
    try:
        v = json.loads(raw or "[]")
    except ValueError:
        return []
    return [e for e in v if isinstance(e, dict)] if isinstance(v, list) else []


def escalate(session: Session, case: Case, *, actor: Actor, now: datetime, reason: str = "") -> State:
    """One rung up: not rectified → 通报 → 下架 → 行政处罚 → 不良名单."""
    state = State(case.state)
    to = State.ESCALATED_PUBLIC if state is State.NOT_RECTIFIED else next_escalation(state)
    if to is None:
        raise Conflict(f"案件无法继续升级 / case in {state} cannot be escalated")
    transition(session, case, to, actor=actor, now=now, reason=reason)
    return to


def escalate_overdue(session: Session, now: datetime, actor: Actor = SYSTEM) -> list[tuple[int, str, str]]:
    """Move overdue cases on (idempotent; ``now`` passed in): a rectification notice past its deadline with no
    response → not rectified → 通报; a 通报 past its deadline → 下架. Returns (case id, from, to) per move."""
    today = beijing_date(now)
    moved: list[tuple[int, str, str]] = []
    overdue_notice = select(Case).where(Case.state == str(State.NOTICE_ISSUED), Case.deadline < today)
    for case in session.scalars(overdue_notice.order_by(Case.id)).all():
        why = f"整改期限 {case.deadline} 已过且未反馈 / deadline {case.deadline} passed without a response"
        transition(session, case, State.NOT_RECTIFIED, actor=actor, now=now, reason=why)
        transition(session, case, State.ESCALATED_PUBLIC, actor=actor, now=now, reason=why)
        case.deadline = None  # the 通报 sets the next deadline when it is published
        moved.append((case.id, str(State.NOTICE_ISSUED), str(State.ESCALATED_PUBLIC)))
    overdue_public = select(Case).where(Case.state == str(State.ESCALATED_PUBLIC), Case.deadline < today)
    for case in session.scalars(overdue_public.order_by(Case.id)).all():
        why = f"通报整改期限 {case.deadline} 已过 / public-notice deadline {case.deadline} passed"
        transition(session, case, State.ESCALATED_REMOVAL, actor=actor, now=now, reason=why)
        case.deadline = None
        moved.append((case.id, str(State.ESCALATED_PUBLIC), str(State.ESCALATED_REMOVAL)))
    session.flush()
    return moved
