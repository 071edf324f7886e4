"""Small adapters to the service's role rules, so pages follow the service as it gains role-gated transitions."""

from __future__ import annotations

import inspect
from collections.abc import Callable

from apprights.service.cases import lifecycle
from apprights.service.cases.lifecycle import State
from apprights.service.deps import Role


def targets_for(state: State, role: Role) -> list[State]:
    """The states ``role`` may move a case in ``state`` to: ``lifecycle.allowed_targets(state, role=…)`` when the
    service's lifecycle knows roles, else the role-free table (the page routes still check the role)."""
    fn: Callable[..., list[State]] = lifecycle.allowed_targets
    if "role" in inspect.signature(fn).parameters:
        return list(fn(state, role=role))
    if role not in (Role.MINISTRY, Role.PROVINCE):
        return []
    return list(fn(state))
