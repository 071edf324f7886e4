"""The case lifecycle as data: states, the table of allowed transitions, and their guards (pure functions).

Guards look only at a ``CaseFacts`` snapshot (no database, no clock): ``now`` is part of the facts.
Side effects (notices, deadlines, audit records) happen in ``cases.flows`` after a transition is allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class State(StrEnum):
    DETECTED = "detected"
    CONFIRMED = "confirmed"
    NOTICE_ISSUED = "notice_issued"
    RESPONSE_SUBMITTED = "response_submitted"
    RETEST = "retest"
    RECTIFIED = "rectified"
    NOT_RECTIFIED = "not_rectified"
    ESCALATED_PUBLIC = "escalated_public"  # 通报
    ESCALATED_REMOVAL = "escalated_removal"  # 下架
    ESCALATED_PENALTY = "escalated_penalty"  # 行政处罚
    ESCALATED_BLACKLIST = "escalated_blacklist"  # 纳入不良名单 / 失信名单
    CLOSED = "closed"
    DISMISSED = "dismissed"
    WITHDRAWN = "withdrawn"


LABELS: dict[State, tuple[str, str]] = {
    State.DETECTED: ("已检出", "detected"),
    State.CONFIRMED: ("已确认", "confirmed"),
    State.NOTICE_ISSUED: ("已下发整改通知", "notice issued"),
    State.RESPONSE_SUBMITTED: ("企业已反馈", "response submitted"),
    State.RETEST: ("复测中", "re-test"),
    State.RECTIFIED: ("已整改", "rectified"),
    State.NOT_RECTIFIED: ("未整改", "not rectified"),
    State.ESCALATED_PUBLIC: ("已通报", "publicly notified"),
    State.ESCALATED_REMOVAL: ("已下架", "removal ordered"),
    State.ESCALATED_PENALTY: ("行政处罚", "administrative penalty"),
    State.ESCALATED_BLACKLIST: ("纳入不良名单", "bad/dishonest list"),
    State.CLOSED: ("已结案", "closed"),
    State.DISMISSED: ("已排除", "dismissed"),
    State.WITHDRAWN: ("已撤销", "withdrawn"),
}

TERMINAL = frozenset({State.CLOSED, State.DISMISSED, State.WITHDRAWN})
ESCALATED = (
    State.ESCALATED_PUBLIC,
    State.ESCALATED_REMOVAL,
    State.ESCALATED_PENALTY,
    State.ESCALATED_BLACKLIST,
)
# States in which a case is still "open" for joining new findings of the same (app, problem type).
OPEN = frozenset(set(State) - TERMINAL - {State.RECTIFIED})


@dataclass(frozen=True)
class CaseFacts:
    """What the guards may look at."""

    state: State
    today: date
    repeat: bool = False
    confirmed_findings: int = 0
    deadline: date | None = None
    responses: int = 0
    retest_clean: bool | None = None  # None: no re-test result yet
    reason: str = ""


Guard = Callable[[CaseFacts], str | None]  # None: allowed; else why not (zh / en)


def always(_f: CaseFacts) -> str | None:
    return None


def has_confirmed_findings(f: CaseFacts) -> str | None:
    return None if f.confirmed_findings > 0 else "没有已确认的问题 / no confirmed findings"


def has_reason(f: CaseFacts) -> str | None:
    return None if f.reason.strip() else "须说明理由 / a reason is required"


def is_repeat(f: CaseFacts) -> str | None:
    return None if f.repeat else "仅重复违规可直接升级 / only a repeat offence escalates directly"


def has_deadline(f: CaseFacts) -> str | None:
    return None if f.deadline is not None else "整改期限未设定 / no deadline set"


def overdue(f: CaseFacts) -> str | None:
    if f.deadline is None:
        return "整改期限未设定 / no deadline set"
    if f.today <= f.deadline:
        return f"整改期限未届满（{f.deadline.isoformat()}）/ deadline {f.deadline.isoformat()} not passed"
    return None


def has_response(f: CaseFacts) -> str | None:
    return None if f.responses > 0 else "企业尚未反馈 / no response submitted"


def retest_clean(f: CaseFacts) -> str | None:
    return None if f.retest_clean is True else "复测仍发现问题或未复测 / re-test not clean"


def retest_dirty(f: CaseFacts) -> str | None:
    return None if f.retest_clean is False else "复测未发现问题或未复测 / re-test not failed"


def clean_or_decided(f: CaseFacts) -> str | None:
    """Rectified: a clean re-test, or (no re-test result in the system) a regulator's reasoned decision."""
    if f.retest_clean is False:
        return "复测仍发现问题 / the re-test found the problem again"
    if f.retest_clean is True:
        return None
    return (
        None if f.reason.strip() else "无复测结果时须说明理由 / without a re-test result a reason is required"
    )


def dirty_or_decided(f: CaseFacts) -> str | None:
    """Not rectified: a failed re-test, or (no re-test result in the system) a regulator's reasoned decision."""
    if f.retest_clean is True:
        return "复测未发现问题 / the re-test was clean"
    if f.retest_clean is False:
        return None
    return (
        None if f.reason.strip() else "无复测结果时须说明理由 / without a re-test result a reason is required"
    )


def both(a: Guard, b: Guard) -> Guard:
    def guard(f: CaseFacts) -> str | None:
        return a(f) or b(f)

    return guard


class Party(StrEnum):
    """Who may make a transition: the regulators' roles, the enterprise (its answer) and the system (the
    overdue job and automatic consequences such as a repeat offence)."""

    MINISTRY = "ministry"
    PROVINCE = "province"
    ENTERPRISE = "enterprise"
    SYSTEM = "system"


MINISTRY = frozenset({Party.MINISTRY})
STAFF = frozenset({Party.MINISTRY, Party.PROVINCE})
ENTERPRISE = frozenset({Party.ENTERPRISE})
SYSTEM = frozenset({Party.SYSTEM})


@dataclass(frozen=True)
class Rule:
    """One allowed transition: its guard and the roles that may make it."""

    guard: Guard
    roles: frozenset[Party]


S = State
# (from, to) → guard and roles. Anything not in this table is forbidden. 下架/行政处罚/不良名单 are decisions of
# the ministry (164号文 四: the ministry organises removal and penalties); provinces act up to 通报.
TABLE: dict[tuple[State, State], Rule] = {
    (S.DETECTED, S.CONFIRMED): Rule(has_confirmed_findings, STAFF | SYSTEM),
    (S.DETECTED, S.DISMISSED): Rule(has_reason, STAFF),
    (S.DETECTED, S.WITHDRAWN): Rule(has_reason, STAFF),
    (S.CONFIRMED, S.NOTICE_ISSUED): Rule(has_deadline, STAFF),
    (S.CONFIRMED, S.ESCALATED_PUBLIC): Rule(is_repeat, STAFF | SYSTEM),
    (S.CONFIRMED, S.DISMISSED): Rule(has_reason, STAFF),
    (S.CONFIRMED, S.WITHDRAWN): Rule(has_reason, STAFF),
    (S.NOTICE_ISSUED, S.RESPONSE_SUBMITTED): Rule(has_response, ENTERPRISE),
    (S.NOTICE_ISSUED, S.RETEST): Rule(overdue, STAFF),
    (S.NOTICE_ISSUED, S.NOT_RECTIFIED): Rule(overdue, STAFF | SYSTEM),
    (S.NOTICE_ISSUED, S.WITHDRAWN): Rule(has_reason, STAFF),
    (S.RESPONSE_SUBMITTED, S.RETEST): Rule(always, STAFF),
    (S.RESPONSE_SUBMITTED, S.WITHDRAWN): Rule(has_reason, STAFF),
    (S.RETEST, S.RETEST): Rule(always, STAFF),  # re-test again (a newer version, another agency's report)
    (S.RETEST, S.RECTIFIED): Rule(clean_or_decided, STAFF),
    (S.RETEST, S.NOT_RECTIFIED): Rule(dirty_or_decided, STAFF | SYSTEM),
    (S.RETEST, S.ESCALATED_PUBLIC): Rule(has_reason, STAFF),
    (S.RETEST, S.WITHDRAWN): Rule(has_reason, STAFF),
    (S.RETEST, S.CLOSED): Rule(has_reason, STAFF),
    (S.RECTIFIED, S.CLOSED): Rule(always, STAFF),
    (S.NOT_RECTIFIED, S.ESCALATED_PUBLIC): Rule(always, STAFF | SYSTEM),
    (S.NOT_RECTIFIED, S.RETEST): Rule(always, STAFF),
    (S.NOT_RECTIFIED, S.WITHDRAWN): Rule(has_reason, STAFF),
    (S.ESCALATED_PUBLIC, S.ESCALATED_REMOVAL): Rule(always, MINISTRY | SYSTEM),
    (S.ESCALATED_PUBLIC, S.RETEST): Rule(always, STAFF),
    (S.ESCALATED_REMOVAL, S.ESCALATED_PENALTY): Rule(always, MINISTRY),
    (S.ESCALATED_REMOVAL, S.RETEST): Rule(always, STAFF),
    (S.ESCALATED_PENALTY, S.ESCALATED_BLACKLIST): Rule(always, MINISTRY),
    (S.ESCALATED_PENALTY, S.CLOSED): Rule(has_reason, MINISTRY),
    (S.ESCALATED_BLACKLIST, S.CLOSED): Rule(has_reason, MINISTRY),
}
TRANSITIONS: dict[tuple[State, State], Guard] = {k: r.guard for k, r in TABLE.items()}


class TransitionError(Exception):
    """A transition the table does not allow, or whose guard refuses it."""

    def __init__(self, from_state: State, to_state: State, why: str) -> None:
        self.from_state = from_state
        self.to_state = to_state
        self.why = why
        super().__init__(f"{from_state} → {to_state}: {why}")


def may(role: str | None, from_state: State, to_state: State) -> bool:
    """Whether ``role`` may make the transition (``None``: any role); unknown roles may make none."""
    rule = TABLE.get((from_state, to_state))
    return rule is not None and (role is None or role in {str(r) for r in rule.roles})


def check(facts: CaseFacts, to_state: State, role: str | None = None) -> None:
    """Raise ``TransitionError`` unless ``facts.state → to_state`` is allowed (for ``role``, when given) and its
    guard passes."""
    rule = TABLE.get((facts.state, to_state))
    if rule is None:
        raise TransitionError(facts.state, to_state, "不允许的状态变更 / transition not allowed")
    if not may(role, facts.state, to_state):
        raise TransitionError(
            facts.state,
            to_state,
            f"角色 {role} 无权进行此状态变更 / role {role} may not make this transition",
        )
    why = rule.guard(facts)
    if why is not None:
        raise TransitionError(facts.state, to_state, why)


def allowed_targets(state: State, role: str | None = None) -> list[State]:
    """The states the table allows from ``state`` (for ``role``; ``None``: for any role)."""
    return [to for (frm, to) in TABLE if frm == state and may(role, frm, to)]


def next_escalation(state: State) -> State | None:
    """The next rung of the ladder 通报 → 下架 → 行政处罚 → 不良名单 from an escalated state."""
    if state in ESCALATED:
        i = ESCALATED.index(state)
        return ESCALATED[i + 1] if i + 1 < len(ESCALATED) else None
    return None
