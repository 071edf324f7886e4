"""Ministry pages: all notices (rectification, 通报, removal) and user administration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, select

from apprights.errors import InputError
from apprights.service import audit
from apprights.service.deps import NowDep, Principal, Role, SessionDep
from apprights.service.notices.models import Notice, NoticeCase
from apprights.service.orgs.models import Enterprise, Province, TestAgency
from apprights.service.stores.models import Store
from apprights.service.users import service as users
from apprights.service.users.models import User
from apprights.service.users.schemas import UserIn
from apprights.web.errors import invalid_input

Render = Callable[..., HTMLResponse]
Need = Callable[[Request, Any, Any, tuple[Role, ...]], Principal]
KINDS = {
    "rectification": ("整改通知", "rectification"),
    "public": ("通报", "public notice"),
    "removal": ("下架通知", "removal order"),
}
PAGE = 50
NO_STORE = {"Cache-Control": "no-store"}  # the page that shows a temporary password


def add_admin_routes(router: APIRouter, render: Render, need: Need) -> None:
    @router.get("/notices", response_class=HTMLResponse)
    def notices_page(
        request: Request, session: SessionDep, now: NowDep, kind: str = "", offset: int = 0
    ) -> Response:
        p = need(request, session, now, (Role.MINISTRY,))
        offset = max(0, min(offset, 10**9))
        where = [Notice.kind == kind] if kind in KINDS else []
        count = (
            select(NoticeCase.notice_id, func.count().label("n")).group_by(NoticeCase.notice_id).subquery()
        )
        rows = session.execute(
            select(Notice, func.coalesce(count.c.n, 0))
            .outerjoin(count, count.c.notice_id == Notice.id)
            .where(*where)
            .order_by(Notice.id.desc())
            .limit(PAGE)
            .offset(offset)
        ).all()
        return render(request, "notices.html", p, rows=rows, kinds=KINDS, kind=kind, offset=offset, page=PAGE)

    def users_page(
        request: Request,
        session: SessionDep,
        p: Principal,
        error: str = "",
        reset: tuple[User, str] | None = None,
    ) -> Response:
        return render(
            request,
            "users.html",
            p,
            status=422 if error else 200,
            users=session.scalars(select(User).order_by(User.id).limit(1000)).all(),
            provinces=session.scalars(select(Province).order_by(Province.code)).all(),
            enterprises=session.scalars(select(Enterprise).order_by(Enterprise.name).limit(2000)).all(),
            stores=session.scalars(select(Store).order_by(Store.name)).all(),
            agencies=session.scalars(select(TestAgency).order_by(TestAgency.name)).all(),
            roles=[r for r in Role if r is not Role.PUBLIC],
            error=error,
            reset=reset,
        )

    @router.get("/users", response_class=HTMLResponse)
    def list_users(request: Request, session: SessionDep, now: NowDep) -> Response:
        return users_page(request, session, need(request, session, now, (Role.MINISTRY,)))

    @router.post("/users")
    def create_user(
        request: Request,
        session: SessionDep,
        now: NowDep,
        username: Annotated[str, Form(max_length=100)],
        role: Annotated[str, Form(max_length=16)],
        display_name: Annotated[str, Form(max_length=200)] = "",
        password: Annotated[str, Form(max_length=200)] = "",
        binding: Annotated[str, Form(max_length=20)] = "",
    ) -> Response:
        p = need(request, session, now, (Role.MINISTRY,))
        field = {
            "province": "province_code",
            "enterprise": "enterprise_id",
            "store": "store_id",
            "agency": "agency_id",
        }
        data: dict[str, Any] = {
            "username": username.strip(),
            "display_name": display_name,
            "password": password or None,
            "role": role,
        }
        if role in field and binding:
            data[field[role]] = binding
        try:
            users.create_user(session, UserIn.model_validate(data), now)
        except ValidationError as e:
            session.rollback()
            return users_page(request, session, p, error=invalid_input(e))
        except InputError as e:
            session.rollback()
            return users_page(request, session, p, error=e.problem)
        session.commit()
        return RedirectResponse("/users", status_code=303)

    @router.post("/users/{user_id}/active")
    def set_active(
        request: Request,
        user_id: int,
        session: SessionDep,
        now: NowDep,
        active: Annotated[int, Form(ge=0, le=1)],
    ) -> Response:
        """Deactivate an account (its sessions and API tokens stop working at once) or reactivate it."""
        p = need(request, session, now, (Role.MINISTRY,))
        user = session.get(User, user_id) if 0 < user_id < 2**31 else None
        if user is None:
            raise HTTPException(404, "用户不存在 / no such user")
        if user.id == p.user_id:
            raise HTTPException(409, "不能停用自己的账户 / you cannot deactivate your own account")
        if user.active and not active:
            users.deactivate(
                session, user, actor=p.actor, actor_id=p.user_id, now=now
            )  # tokens revoked, audited
        elif (
            active and not user.active
        ):  # the service has no reactivation yet: the same record, the other way
            user.active = True
            audit.record(
                session,
                now=now,
                actor=p.actor,
                actor_id=p.user_id,
                entity="user",
                entity_id=user.id,
                action="activate",
            )
        session.commit()
        return RedirectResponse("/users", status_code=303)

    @router.post("/users/{user_id}/password-reset")
    def reset_password(request: Request, user_id: int, session: SessionDep, now: NowDep) -> Response:
        """The ministry gives an account a one-time temporary password, shown once on this answer (never
        stored in clear, not cached); the account must change it at its next login."""
        p = need(request, session, now, (Role.MINISTRY,))
        user = session.get(User, user_id) if 0 < user_id < 2**31 else None
        if user is None:
            raise HTTPException(404, "用户不存在 / no such user")
        if user.id == p.user_id:
            raise HTTPException(409, "请通过修改密码更改自己的密码 / change your own password instead")
        try:
            temporary = users.reset_password(session, user, actor=p.actor, actor_id=p.user_id, now=now)
        except InputError as e:
            session.rollback()
            raise HTTPException(409, e.problem) from None
        session.commit()
        out = users_page(request, session, p, reset=(user, temporary))
        out.headers.update(NO_STORE)
        return out
