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


def both(a: Guard, b: Guard) -> Guard:
    def guard(f: CaseFacts) -> str | None:
        return a(f) or b(f)

    return guard


S = State
# (from, to) → guard. Anything not in this table is forbidden.
TRANSITIONS: dict[tuple[State, State], Guard] = {
    (S.DETECTED, S.CONFIRMED): has_confirmed_findings,
    (S.DETECTED, S.DISMISSED): has_reason,
    (S.DETECTED, S.WITHDRAWN): has_reason,
    (S.CONFIRMED, S.NOTICE_ISSUED): has_deadline,
    (S.CONFIRMED, S.ESCALATED_PUBLIC): is_repeat,
    (S.CONFIRMED, S.DISMISSED): has_reason,
    (S.CONFIRMED, S.WITHDRAWN): has_reason,
    (S.NOTICE_ISSUED, S.RESPONSE_SUBMITTED): has_response,
    (S.NOTICE_ISSUED, S.RETEST): overdue,
    (S.NOTICE_ISSUED, S.NOT_RECTIFIED): overdue,
    (S.NOTICE_ISSUED, S.WITHDRAWN): has_reason,
    (S.RESPONSE_SUBMITTED, S.RETEST): always,
    (S.RESPONSE_SUBMITTED, S.WITHDRAWN): has_reason,
    (S.RETEST, S.RECTIFIED): retest_clean,
    (S.RETEST, S.NOT_RECTIFIED): retest_dirty,
    (S.RECTIFIED, S.CLOSED): always,
    (S.NOT_RECTIFIED, S.ESCALATED_PUBLIC): always,
    (S.ESCALATED_PUBLIC, S.ESCALATED_REMOVAL): always,
    (S.ESCALATED_PUBLIC, S.RETEST): always,
    (S.ESCALATED_REMOVAL, S.ESCALATED_PENALTY): always,
    (S.ESCALATED_REMOVAL, S.RETEST): always,
    (S.ESCALATED_PENALTY, S.ESCALATED_BLACKLIST): always,
    (S.ESCALATED_PENALTY, S.CLOSED): has_reason,
    (S.ESCALATED_BLACKLIST, S.CLOSED): has_reason,
}


class TransitionError(Exception):
    """A transition the table does not allow, or whose guard refuses it."""

    def __init__(self, from_state: State, to_state: State, why: str) -> None:
        self.from_state = from_state
        self.to_state = to_state
        self.why = why
        super().__init__(f"{from_state} → {to_state}: {why}")


def check(facts: CaseFacts, to_state: State) -> None:
    """Raise ``TransitionError`` unless ``facts.state → to_state`` is allowed and its guard passes."""
    guard = TRANSITIONS.get((facts.state, to_state))
    if guard is None:
        raise TransitionError(facts.state, to_state, "不允许的状态变更 / transition not allowed")
    why = guard(facts)
    if why is not None:
        raise TransitionError(facts.state, to_state, why)


def allowed_targets(state: State) -> list[State]:
    return [to for (frm, to) in TRANSITIONS if frm == state]


def next_escalation(state: State) -> State | None:
    """The next rung of the ladder 通报 → 下架 → 行政处罚 → 不良名单 from an escalated state."""
    if state in ESCALATED:
        i = ESCALATED.index(state)
        return ESCALATED[i + 1] if i + 1 < len(ESCALATED) else None
    return None
