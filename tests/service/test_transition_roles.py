"""Transitions are role-gated data, and the lifecycle has no dead ends (pure: no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apprights.service.cases.lifecycle import (
    TABLE,
    TERMINAL,
    CaseFacts,
    Party,
    State,
    TransitionError,
    allowed_targets,
    check,
    may,
)

S = State
TODAY = date(2026, 10, 1)
LADDER_TOP = {S.ESCALATED_REMOVAL, S.ESCALATED_PENALTY, S.ESCALATED_BLACKLIST}


def test_every_transition_names_its_roles() -> None:
    for (frm, to), rule in TABLE.items():
        assert rule.roles, (frm, to)
        assert rule.roles <= set(Party)


@pytest.mark.parametrize("to", sorted(LADDER_TOP))
def test_a_province_never_reaches_removal_penalty_or_blacklist(to: State) -> None:
    for frm in State:
        assert not may("province", frm, to)
        assert to not in allowed_targets(frm, "province")
    assert any(may("ministry", frm, to) for frm in State)


def test_check_refuses_a_role_the_table_does_not_name() -> None:
    facts = CaseFacts(state=S.ESCALATED_PUBLIC, today=TODAY)
    with pytest.raises(TransitionError) as e:
        check(facts, S.ESCALATED_REMOVAL, "province")
    assert "may not make this transition" in e.value.why
    check(facts, S.ESCALATED_REMOVAL, "ministry")
    check(facts, S.ESCALATED_REMOVAL)  # role None: the table alone


@pytest.mark.parametrize("role", ["agency", "store", "public", "nobody"])
def test_roles_outside_the_workflow_make_no_transition(role: str) -> None:
    for s in State:
        assert allowed_targets(s, role) == []


def test_allowed_targets_without_role_is_every_target() -> None:
    for s in State:
        assert set(allowed_targets(s)) == {to for (frm, to) in TABLE if frm == s}
        for role in Party:
            assert set(allowed_targets(s, str(role))) <= set(allowed_targets(s))


def test_a_case_in_retest_has_every_way_forward() -> None:
    assert set(allowed_targets(S.RETEST, "ministry")) >= {
        S.RETEST,
        S.RECTIFIED,
        S.NOT_RECTIFIED,
        S.WITHDRAWN,
        S.CLOSED,
        S.ESCALATED_PUBLIC,
    }


def _facts(data: st.DataObject, state: State) -> CaseFacts:
    """Arbitrary facts a case in ``state`` may have (deadline passed or not, responses, re-test outcome)."""
    deadline = data.draw(st.sampled_from([None, TODAY - timedelta(days=3), TODAY + timedelta(days=3)]))
    return CaseFacts(
        state=state,
        today=TODAY,
        repeat=data.draw(st.booleans()),
        confirmed_findings=data.draw(st.integers(0, 2)),
        deadline=deadline,
        responses=data.draw(st.integers(0, 2)),
        retest_clean=data.draw(st.sampled_from([None, True, False])),
    )


def _passable(facts: CaseFacts, role: str) -> list[State]:
    out = []
    for to in allowed_targets(facts.state, role):
        try:
            check(replace(facts, reason="理由 / reason"), to, role)
        except TransitionError:
            continue
        out.append(to)
    return out


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_random_legal_walks_never_reach_a_dead_end(data: st.DataObject) -> None:
    """Walk random legal sequences (any role, any facts): every non-final state has a way forward that a
    regulator can take with a reason, whatever the facts; a final state has none."""
    state = S.DETECTED
    for _ in range(data.draw(st.integers(1, 25))):
        facts = _facts(data, state)
        regulator_moves = _passable(facts, "ministry")
        if state in TERMINAL:
            assert allowed_targets(state) == []
            break
        assert regulator_moves, f"dead end in {state} with {facts}"
        moves = [
            (to, role)
            for role in ("ministry", "province", "enterprise", "system")
            for to in _passable(facts, role)
        ]
        to, _role = data.draw(st.sampled_from(moves))
        state = to
