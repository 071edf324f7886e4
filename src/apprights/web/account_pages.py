"""Account pages: change your own password (also the forced change after a reset) and the ministry's password
reset of another account lives with the user administration (``admin_pages``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from apprights.errors import InputError
from apprights.service.deps import SESSION_COOKIE, NowDep, Principal, Role, SessionDep
from apprights.service.users import policy
from apprights.service.users import service as users
from apprights.service.users.models import User

Render = Callable[..., HTMLResponse]
Who = Callable[[Request, Any, Any], Principal | None]
ANY_USER = (Role.MINISTRY, Role.PROVINCE, Role.AGENCY, Role.ENTERPRISE, Role.STORE)


def add_account_routes(router: APIRouter, render: Render, who: Who) -> None:
    def signed_in(request: Request, session: SessionDep, now: NowDep) -> Principal:
        p = who(request, session, now)
        if p is None or p.role not in ANY_USER:
            raise _login()
        return p

    def form(
        request: Request, p: Principal, status: int = 200, error: str = "", done: bool = False
    ) -> Response:
        return render(
            request,
            "password.html",
            p,
            status=status,
            error=error,
            done=done,
            forced=p.must_change_password,
            min_length=policy.MIN_LENGTH,
        )

    @router.get("/password", response_class=HTMLResponse)
    def password_page(request: Request, session: SessionDep, now: NowDep, done: int = 0) -> Response:
        return form(request, signed_in(request, session, now), done=bool(done))

    @router.post("/password")
    def change_password(
        request: Request,
        session: SessionDep,
        now: NowDep,
        current: Annotated[str, Form(max_length=200)],
        new: Annotated[str, Form(max_length=200)],
        confirm: Annotated[str, Form(max_length=200)],
    ) -> Response:
        """Old and new password (the policy applies); every other session and token of the account is revoked,
        this session stays."""
        p = signed_in(request, session, now)
        if new != confirm:
            return form(request, p, 422, "两次输入的新密码不一致 / the new passwords differ")
        if new == current:
            return form(request, p, 422, "新密码不能与当前密码相同 / the new password equals the current one")
        user = session.get(User, p.user_id)
        if user is None:
            raise _login()
        try:
            users.change_password(
                session, user, current, new, keep_token=request.cookies.get(SESSION_COOKIE, ""), now=now
            )
        except PermissionError as e:  # counted like a failed login (committed by the service)
            return form(request, p, 403, str(e))
        except InputError as e:
            session.rollback()
            return form(request, p, 422, e.problem)
        session.commit()
        return RedirectResponse("/password?done=1", status_code=303)


def _login() -> HTTPException:
    return HTTPException(401, "需要登录 / please log in")  # on a page path: the login redirect
