"""Complaint triage called directly: one queued detection task per app, scoped to the caller's region."""

from __future__ import annotations

from apprights.service.deps import Principal, Role
from apprights.web.triage import queued_tasks, triage
from tests.service.conftest import World
from tests.web.conftest import PKG


def test_one_queued_task_per_group(web_world: World) -> None:
    w = web_world
    body = {
        "contact": {"name": "李四"},
        "package": PKG,
        "app_name": "示例商城",
        "problem_type": 1,
        "description": "x",
    }
    w.ok("public", "POST", "/api/v1/complaints", json=body)
    with w.client.app.state.sessionmaker() as s:
        now = w.clock.now
        assert triage(s, Principal(Role.PROVINCE, 9, "bj", province_code="11"), PKG, "", now) is None
        task = triage(s, Principal(Role.MINISTRY, 1, "admin"), PKG, "", now)
        assert task is not None and task.reason.startswith("人工分诊") and task.complaint_count == 1
        assert triage(s, Principal(Role.MINISTRY, 1, "admin"), PKG, "again", now) is task
        assert queued_tasks(s, [PKG, "other"]) == {PKG: task}
        s.commit()
