"""The role × endpoint × transition matrix, generated from the lifecycle table: every (from, to) pair of
``lifecycle.TABLE`` is tried by every role through ``POST /cases/{id}/transitions``, and every escalated state
through ``POST /cases/{id}/escalate``; the answer must be what the table says. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from apprights.service.cases.lifecycle import TABLE, State, may, next_escalation
from apprights.service.cases.models import Case, CaseResponse
from apprights.service.db import utc_naive
from tests.service.conftest import World
from tests.service.test_workflow import _report, confirm_all, ingest

# account → role name in the table (province_other: a province that may not see the case)
ACCOUNTS = {
    "ministry": "ministry",
    "province": "province",
    "province_other": "province",
    "agency": "agency",
    "enterprise": "enterprise",
    "store": "store",
    "public": "public",
}
STAFF_ENDPOINT = {"ministry", "province"}  # who may call POST /transitions at all


def _put(w: World, cid: int, state: State) -> None:
    """Put the case in ``state`` with facts under which every guard passes (deadline passed, a response,
    a confirmed finding, a repeat offence) — the matrix tests roles, not guards."""
    with w.client.app.state.sessionmaker() as s:
        s.execute(
            update(Case)
            .where(Case.id == cid)
            .values(state=str(state), repeat=True, deadline=date(2026, 9, 1))
        )
        s.commit()


def _expected(account: str, frm: State, to: State) -> int:
    if account == "public":
        return 401
    if account not in STAFF_ENDPOINT and account != "province_other":
        return 403
    if account == "province_other":
        return 404
    if to is State.NOTICE_ISSUED:
        return 409  # a notice is issued through POST /cases/{id}/notice (which sets the deadline)
    return 200 if may(ACCOUNTS[account], frm, to) else 409


def test_transition_matrix(world: World) -> None:
    w = world
    cid = confirm_all(w, ingest(w, _report())["scan_run_ids"][0])[0]
    with w.client.app.state.sessionmaker() as s:
        s.add(CaseResponse(case_id=cid, submitted_at=utc_naive(w.clock.now), text="已整改"))
        s.commit()
    seen: dict[tuple[str, str, str], int] = {}
    for (frm, to), rule in TABLE.items():
        for account in ACCOUNTS:
            _put(w, cid, frm)
            body = {"to": str(to), "reason": "矩阵测试 / matrix test", "evidence": ["matrix"]}
            r = w.call(account, "POST", f"/api/v1/cases/{cid}/transitions", json=body)
            want = _expected(account, frm, to)
            assert r.status_code == want, (account, frm, to, r.status_code, r.text[:300])
            if want == 200:
                assert r.json()["state"] == str(to)
            if want == 409 and to is not State.NOTICE_ISSUED:
                assert "may not make this transition" in r.text
            seen[(account, str(frm), str(to))] = r.status_code
        assert rule.roles, (frm, to)
    # a province never reached the top of the ladder; the ministry could
    for to in (State.ESCALATED_REMOVAL, State.ESCALATED_PENALTY, State.ESCALATED_BLACKLIST):
        assert all(code != 200 for (a, _f, t), code in seen.items() if a == "province" and t == str(to))
        assert any(code == 200 for (a, _f, t), code in seen.items() if a == "ministry" and t == str(to))


def test_escalate_endpoint_matrix(world: World) -> None:
    w = world
    cid = confirm_all(w, ingest(w, _report())["scan_run_ids"][0])[0]
    for frm in (State.NOT_RECTIFIED, *[s for s in State if next_escalation(s) is not None]):
        for account in ACCOUNTS:
            _put(w, cid, frm)
            r = w.call(account, "POST", f"/api/v1/cases/{cid}/escalate", json={"reason": "矩阵"})
            if account == "public":
                assert r.status_code == 401
            elif account != "ministry":
                assert r.status_code == 403, (account, frm)
            else:
                to = State.ESCALATED_PUBLIC if frm is State.NOT_RECTIFIED else next_escalation(frm)
                assert r.status_code == 200 and r.json()["state"] == str(to), (frm, r.text[:300])


def test_web_form_transition_matrix(world: World) -> None:
    """The same table through the web form ``POST /cases/{id}/transition`` (session cookie)."""
    w = world
    cid = confirm_all(w, ingest(w, _report())["scan_run_ids"][0])[0]
    with w.client.app.state.sessionmaker() as s:
        s.add(CaseResponse(case_id=cid, submitted_at=utc_naive(w.clock.now), text="已整改"))
        s.commit()
    c = w.client
    try:
        for (frm, to), _rule in TABLE.items():
            if to is State.NOTICE_ISSUED:
                continue  # the page issues notices through its own form
            for account in ("ministry", "province"):
                _put(w, cid, frm)
                c.cookies.clear()
                c.cookies.set("apprights_session", w.tokens[account])
                r = c.post(
                    f"/cases/{cid}/transition",
                    data={"to": str(to), "reason": "矩阵测试"},
                    follow_redirects=False,
                )
                if may(ACCOUNTS[account], frm, to):
                    assert r.status_code == 303, (account, frm, to, r.text[:300])
                else:
                    assert r.status_code == 409 and "may not make this transition" in r.text, (
                        account,
                        frm,
                        to,
                    )
    finally:
        c.cookies.clear()
