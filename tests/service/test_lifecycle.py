"""The transition table: every (from, to) pair outside it is refused; guards refuse what they must."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from apprights.service.cases.lifecycle import (
    TERMINAL,
    TRANSITIONS,
    CaseFacts,
    State,
    TransitionError,
    allowed_targets,
    check,
    next_escalation,
)

TODAY = date(2026, 10, 1)
# Facts under which every guard passes except the ones that need a specific retest outcome.
PERMISSIVE = CaseFacts(
    state=State.DETECTED,
    today=TODAY,
    repeat=True,
    confirmed_findings=1,
    deadline=date(2026, 9, 1),
    responses=1,
    reason="because",
)


@pytest.mark.parametrize("frm", list(State))
@pytest.mark.parametrize("to", list(State))
def test_full_matrix(frm: State, to: State) -> None:
    facts = replace(PERMISSIVE, state=frm)
    if (frm, to) not in TRANSITIONS:
        with pytest.raises(TransitionError) as e:
            check(facts, to)
        assert "not allowed" in e.value.why
        return
    if (frm, to) == (State.RETEST, State.RECTIFIED):
        facts = replace(facts, retest_clean=True)
    if (frm, to) == (State.RETEST, State.NOT_RECTIFIED):
        facts = replace(facts, retest_clean=False)
    check(facts, to)  # allowed under permissive facts


def test_terminal_states_have_no_way_out() -> None:
    for s in TERMINAL:
        assert allowed_targets(s) == []


def test_every_state_reachable_from_detected() -> None:
    seen = {State.DETECTED}
    todo = [State.DETECTED]
    while todo:
        for nxt in allowed_targets(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    assert seen == set(State)


@pytest.mark.parametrize(
    ("frm", "to", "facts_change", "why"),
    [
        (State.DETECTED, State.CONFIRMED, {"confirmed_findings": 0}, "no confirmed findings"),
        (State.DETECTED, State.DISMISSED, {"reason": "  "}, "reason is required"),
        (State.CONFIRMED, State.ESCALATED_PUBLIC, {"repeat": False}, "repeat offence"),
        (State.CONFIRMED, State.NOTICE_ISSUED, {"deadline": None}, "no deadline"),
        (State.NOTICE_ISSUED, State.NOT_RECTIFIED, {"deadline": TODAY}, "not passed"),
        (State.NOTICE_ISSUED, State.RESPONSE_SUBMITTED, {"responses": 0}, "no response"),
        (State.RETEST, State.RECTIFIED, {"retest_clean": False}, "found the problem again"),
        (State.RETEST, State.RECTIFIED, {"retest_clean": None, "reason": ""}, "reason is required"),
        (State.RETEST, State.NOT_RECTIFIED, {"retest_clean": True}, "re-test was clean"),
        (State.RETEST, State.NOT_RECTIFIED, {"retest_clean": None, "reason": " "}, "reason is required"),
        (State.ESCALATED_BLACKLIST, State.CLOSED, {"reason": ""}, "reason is required"),
    ],
)
def test_guards_refuse(frm: State, to: State, facts_change: dict[str, object], why: str) -> None:
    facts = replace(PERMISSIVE, state=frm, **facts_change)  # type: ignore[arg-type]
    with pytest.raises(TransitionError) as e:
        check(facts, to)
    assert why in e.value.why


def test_escalation_ladder_order() -> None:
    assert next_escalation(State.ESCALATED_PUBLIC) is State.ESCALATED_REMOVAL
    assert next_escalation(State.ESCALATED_REMOVAL) is State.ESCALATED_PENALTY
    assert next_escalation(State.ESCALATED_PENALTY) is State.ESCALATED_BLACKLIST
    assert next_escalation(State.ESCALATED_BLACKLIST) is None
    assert next_escalation(State.CONFIRMED) is None
