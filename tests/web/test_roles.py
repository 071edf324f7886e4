"""The adapter to the lifecycle's role-gated transitions: it passes the role once ``allowed_targets`` takes one."""

from __future__ import annotations

import pytest

from apprights.service.cases import lifecycle
from apprights.service.cases.lifecycle import State
from apprights.service.deps import Role
from apprights.web.roles import targets_for


def test_role_free_lifecycle_staff_only() -> None:
    assert State.DISMISSED in targets_for(State.CONFIRMED, Role.PROVINCE)
    assert targets_for(State.CONFIRMED, Role.ENTERPRISE) == []


def test_role_aware_lifecycle_gets_the_role(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []

    def allowed_targets(state: State, role: object = None) -> list[State]:
        seen.append(role)
        return [State.CLOSED] if role == Role.MINISTRY else []

    monkeypatch.setattr(lifecycle, "allowed_targets", allowed_targets)
    assert targets_for(State.RECTIFIED, Role.MINISTRY) == [State.CLOSED]
    assert targets_for(State.RECTIFIED, Role.PROVINCE) == []
    assert seen == [Role.MINISTRY, Role.PROVINCE]
